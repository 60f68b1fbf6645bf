def test_a_missing_page_gets_the_portals_own_404(cast, client):
    client.force_login(cast.broker)
    response = client.get("/brokers/no-such-page/")
    assert response.status_code == 404
    assert b"We couldn't find that page" in response.content


def test_another_audience_page_reads_like_a_missing_one(cast, client):
    client.force_login(cast.broker)
    response = client.get("/employers/")
    assert response.status_code == 404
    assert b"We couldn't find that page" in response.content
