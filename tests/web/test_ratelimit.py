"""The chat limit and the sign-in throttle on `limits` with memory storage.

`limits` reads the real clock (it takes no clock to fake), so these tests count in the
documented windows without waiting, and use windows of a second where time must pass.
"""

from __future__ import annotations

import logging
import time

import pytest
from limits import parse_many
from limits.storage import MemoryStorage

from tests.support.stack import free_port
from web import ratelimit
from web.ratelimit import (
    ADDRESS_LIMITS,
    NAME_LIMITS,
    PAIR_LIMITS,
    ChatLimit,
    LimitsUnavailable,
    SignInThrottle,
    make_storage,
)

HOME, ELSEWHERE = "10.0.0.1", "10.0.0.2"
A_MINUTE = range(55, 62)  # a minute's wait, give or take the second `limits` rounds away


@pytest.fixture
def throttle() -> SignInThrottle:
    return SignInThrottle(make_storage(None))


def _fail(throttle: SignInThrottle, times: int, name: str, address: str, **unlock: float) -> None:
    for _ in range(times):
        throttle.failed(name, address, **unlock)


def test_the_documented_windows() -> None:
    assert [repr(i) for i in parse_many(PAIR_LIMITS)] == ["5 per 1 minute", "20 per 1 hour"]
    assert [repr(i) for i in parse_many(ADDRESS_LIMITS)] == ["20 per 1 minute", "60 per 10 minute"]
    assert [repr(i) for i in parse_many(NAME_LIMITS)] == ["10 per 1 minute"]
    assert isinstance(make_storage(None), MemoryStorage)


def test_five_failures_of_one_name_from_one_address_then_a_minute_to_wait(
    throttle: SignInThrottle,
) -> None:
    for _ in range(5):
        assert throttle.wait("anna", HOME) == 0
        throttle.failed("anna", HOME)
    assert throttle.wait("anna", HOME) in A_MINUTE
    # The owner elsewhere, and other names from here, are not slowed.
    assert throttle.wait("anna", ELSEWHERE) == 0 and throttle.wait("bob", HOME) == 0


def test_twenty_failures_an_hour_then_an_hour_to_wait() -> None:
    minute_free = SignInThrottle(
        make_storage(None), pair="100 per minute; 20 per hour", name="100 per minute"
    )
    _fail(minute_free, 19, "anna", HOME)
    assert minute_free.wait("anna", HOME) == 0
    minute_free.failed("anna", HOME)
    assert 3595 <= minute_free.wait("anna", HOME) <= 3601


def test_failures_are_forgotten_after_their_window() -> None:
    quick = SignInThrottle(make_storage(None), pair="2 per second", name="2 per second")
    _fail(quick, 2, "anna", HOME)
    assert quick.wait("anna", HOME) >= 1
    time.sleep(1.2)
    assert quick.wait("anna", HOME) == 0


def test_failures_on_a_name_from_many_addresses_delay_its_owner_a_minute_at_most(
    throttle: SignInThrottle,
) -> None:
    for attacker in range(40):
        throttle.failed("anna", f"203.0.113.{attacker}")
    assert throttle.wait("anna", HOME) in A_MINUTE  # ten a minute, from anywhere
    assert throttle.wait("bob", HOME) == 0


def test_the_owner_is_not_slowed_by_an_attacker_who_stops_at_the_pair_limit(
    throttle: SignInThrottle,
) -> None:
    _fail(throttle, 5, "anna", "203.0.113.9")
    assert throttle.wait("anna", "203.0.113.9") > 0  # the attacker waits
    assert throttle.wait("anna", HOME) == 0  # the owner, at her own address, does not


def test_spraying_many_names_from_one_address_is_slowed_after_twenty(
    throttle: SignInThrottle,
) -> None:
    for n in range(19):
        throttle.failed(f"user{n}", HOME)
    assert throttle.wait("someone-else", HOME) == 0  # a hospital NAT: many people, one address
    throttle.failed("user19", HOME)
    assert throttle.wait("someone-else", HOME) in A_MINUTE
    assert throttle.wait("someone-else", ELSEWHERE) == 0


def test_sixty_failures_from_one_address_in_ten_minutes_then_up_to_ten_minutes_to_wait() -> None:
    minute_free = SignInThrottle(make_storage(None), address="100 per minute; 60 per 10 minutes")
    for n in range(60):
        minute_free.failed(f"user{n}", HOME)
    assert 595 <= minute_free.wait("someone-else", HOME) <= 601


def test_an_unlock_makes_earlier_failures_not_count_and_later_ones_count_again(
    throttle: SignInThrottle,
) -> None:
    _fail(throttle, 8, "anna", HOME)
    assert throttle.wait("anna", HOME) > 0
    unlocked = time.time()  # an admin's unlock, read from the database by every process
    assert throttle.wait("anna", HOME, unlocked_at=unlocked) == 0
    _fail(throttle, 5, "anna", HOME, unlocked_at=unlocked)
    assert throttle.wait("anna", HOME, unlocked_at=unlocked) in A_MINUTE


def test_a_success_forgets_the_names_failures_but_not_the_addresss(
    throttle: SignInThrottle,
) -> None:
    _fail(throttle, 5, "anna", HOME)
    for n in range(14):
        throttle.failed(f"user{n}", HOME)
    assert throttle.wait("anna", HOME) > 0
    throttle.succeeded("anna", HOME)
    assert throttle.wait("anna", HOME) == 0
    throttle.failed("bob", HOME)  # the 21st failure from this address
    assert throttle.wait("anna", HOME) in A_MINUTE


def test_a_slash_in_a_typed_name_reaches_no_other_key(throttle: SignInThrottle) -> None:
    _fail(throttle, 10, "anna/x", HOME)
    assert throttle.wait("anna", HOME) == 0


def test_each_chat_client_has_its_own_moving_window() -> None:
    limit = ChatLimit(make_storage(None), per_minute=2)
    assert [limit.hit("a"), limit.hit("a")] == [0, 0]
    assert limit.hit("a") in A_MINUTE  # Retry-After: when the window frees
    assert limit.hit("b") == 0, "clients are counted apart"


def test_without_redis_the_chat_is_not_limited_and_one_warning_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limit = ChatLimit(make_storage(f"redis://:pw@127.0.0.1:{free_port()}/0"), per_minute=1)
    with caplog.at_level(logging.WARNING, logger="web.ratelimit"):
        assert [limit.hit("203.0.113.5") for _ in range(3)] == [0, 0, 0]
    assert [r.getMessage() for r in caplog.records] == [
        "chat rate limit skipped: Redis unreachable (ConnectionError)"
    ]


def test_without_redis_the_sign_in_throttle_refuses_to_guess() -> None:
    throttle = SignInThrottle(make_storage(f"redis://:pw@127.0.0.1:{free_port()}/0"))
    with pytest.raises(LimitsUnavailable):
        throttle.wait("anna", HOME)
    with pytest.raises(LimitsUnavailable):
        throttle.failed("anna", HOME)


def test_a_redis_socket_url_is_understood() -> None:
    storage = make_storage("unix:///run/redis/redis.sock?db=1")
    assert storage.storage.connection_pool.connection_kwargs["path"] == "/run/redis/redis.sock"


def test_memory_keys_of_empty_windows_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "MAX_MEMORY_KEYS", 5)
    storage = make_storage(None)
    quick = SignInThrottle(storage, pair="1 per second", address="1 per second", name="1/second")
    for n in range(10):
        quick.failed(f"user{n}", f"203.0.113.{n}")
    assert len(storage.events) > 5
    time.sleep(1.1)
    storage.acquire_entry("tick", 100, 1)  # starts the storage's own sweep of expired entries
    deadline = time.monotonic() + 10
    while any(entries for key, entries in storage.events.items() if key != "tick"):
        assert time.monotonic() < deadline, "limits never expired the entries"
        time.sleep(0.05)
    quick.failed("later", HOME)
    assert len(storage.events) == 4  # "tick" and the three windows "later" just filled
