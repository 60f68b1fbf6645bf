"""Pages as their users request them, through the full middleware stack."""

from bench import scenario


@scenario("broker-home", baseline="bare-view", repeat=200)
def broker_home(ctx):
    """The broker home page as broker@ (counts the book of business)."""
    client = ctx.client_for("broker@demo.test")

    def run():
        response = client.get("/brokers/")
        if response.status_code != 200:
            raise RuntimeError(f"broker home answered {response.status_code}")

    return run
