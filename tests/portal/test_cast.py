from brokers import access as broker_access
from employers import access as employer_access
from providers import access as provider_access


def test_broker_office_sees_its_book_of_business(cast):
    assert set(broker_access.visible_groups(cast.broker)) == set(cast.employer_groups)
    assert set(broker_access.visible_groups(cast.staff)) == set(cast.employer_groups)


def test_employer_grant_gives_billing_on_two_suffixes_only(cast):
    assert set(broker_access.visible_groups(cast.broker, "view_invoice")) == set(
        cast.employer_groups[:2]
    )


def test_other_broker_sees_only_their_own_book(cast):
    assert list(broker_access.visible_groups(cast.broker2)) == [cast.other_employer_group]


def test_upline_may_view_but_not_see_rosters(cast):
    assert set(broker_access.visible_groups(cast.upline)) == set(cast.employer_groups)
    assert not broker_access.visible_groups(cast.upline, "view_roster").exists()


def test_group_admin_is_limited_to_one_suffix(cast):
    assert list(employer_access.visible_groups(cast.groupadmin)) == cast.employer_groups[:1]
    assert set(employer_access.visible_groups(cast.employer)) == set(cast.employer_groups)


def test_provider_end_user_has_eligibility_on_one_tax_id(cast):
    assert list(provider_access.visible_tax_ids(cast.provideruser)) == cast.tax_ids[:1]
    assert not provider_access.visible_tax_ids(cast.provideruser, "inquire_claims").exists()


def test_delegated_admin_sees_no_patients_but_administers_both_tax_ids(cast):
    assert not provider_access.visible_tax_ids(cast.provider).exists()
    assert set(provider_access.administered_tax_ids(cast.provider)) == set(cast.tax_ids)


def test_staff_does_not_see_commissions(cast):
    assert broker_access.can_view_commissions(cast.broker)
    assert not broker_access.can_view_commissions(cast.staff)
