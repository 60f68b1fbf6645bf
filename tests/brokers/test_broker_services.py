import datetime

from brokers import access
from brokers.models import BrokerOfRecord
from brokers.services import broker_of_record_start, brokers_of_record_load
from employers.services import broker_access_grant
from tests.factories import BrokerFactory, GroupFactory


def test_a_change_of_broker_of_record_moves_the_book_and_drops_granted_functions(cast):
    group = cast.employer_groups[0]
    assert group in access.visible_groups(cast.broker, "view_invoice")
    newcomer = cast.broker2.broker

    broker_of_record_start(group=group, broker=newcomer, start_date=datetime.date(2026, 12, 1))

    assert group not in access.visible_groups(cast.broker)
    assert group not in access.visible_groups(cast.broker, "view_invoice")
    assert group not in access.visible_groups(cast.staff)
    assert group in access.visible_groups(cast.broker2, "view_roster")
    previous = BrokerOfRecord.objects.get(group=group, broker=cast.broker.broker)
    assert previous.end_date == datetime.date(2026, 12, 1)


def test_an_employer_can_take_back_what_it_granted(cast):
    group = cast.employer_groups[0]
    broker_access_grant(group=group, broker=cast.broker.broker, functions=[], by=cast.employer)
    assert group not in access.visible_groups(cast.broker, "view_invoice")
    assert group in access.visible_groups(cast.broker, "view_roster")


def test_a_bulk_load_gives_each_office_its_book_in_a_few_queries(db, django_assert_max_num_queries):
    brokers = BrokerFactory.create_batch(2)
    groups = GroupFactory.create_batch(30)
    records = [
        (group, brokers[n % 2], group.suffix_effective_date) for n, group in enumerate(groups)
    ]
    with django_assert_max_num_queries(15):
        brokers_of_record_load(records=records)
    for n, broker in enumerate(brokers):
        office_member = broker.office
        assert office_member is not None
        expected = set(groups[n::2])
        held = {
            row.content_object
            for row in office_member.groupgroupobjectpermission_set.filter(
                permission__codename="view_roster"
            )
        }
        assert held == expected
