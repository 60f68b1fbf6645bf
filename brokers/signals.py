"""Signals the broker app sends, so other audiences can react without the broker app knowing them.

`broker_of_record_ended` is sent inside the transaction that ends a group's broker of record
(a new one took over), with:

- `record`: the brokers.BrokerOfRecord that ended (its `broker` and `group`).

Receivers run in that transaction: what they write stands or falls with the change.
"""

from django.dispatch import Signal

broker_of_record_ended = Signal()
