from django.urls import reverse


def test_end_user_home_lists_the_tax_id_they_work_under(cast, client):
    client.force_login(cast.provideruser)
    response = client.get(reverse("providers:home"))
    assert list(response.context["tax_ids"]) == cast.tax_ids[:1]
    assert cast.tax_ids[1].number.encode() not in response.content


def test_delegated_admin_administers_both_tax_ids_but_sees_no_patients(cast, client):
    client.force_login(cast.provider)
    response = client.get(reverse("providers:home"))
    assert set(response.context["administered_tax_ids"]) == set(cast.tax_ids)
    assert not response.context["tax_ids"]
    assert b"set up an end-user account for yourself" in response.content


def test_other_organisation_sees_only_its_own_tax_id(cast, client):
    client.force_login(cast.provider2)
    response = client.get(reverse("providers:account"))
    assert list(response.context["tax_ids"]) == [cast.other_tax_id]
    for tax_id in cast.tax_ids:
        assert tax_id.number.encode() not in response.content


def test_transactions_links_only_the_functions_held(cast, client):
    client.force_login(cast.provideruser)
    body = client.get(reverse("providers:transactions")).content.decode()
    assert reverse("providers:claim-list") not in body
    assert reverse("providers:authorization-search") not in body
    assert "Needs Claims Inquiry" in body
    client.force_login(cast.provider2)
    body = client.get(reverse("providers:transactions")).content.decode()
    assert reverse("providers:claim-list") in body
    assert reverse("providers:authorization-search") in body
