"""Waiting rooms from Python: join, shuffle at on-sale, admission, the
hold gate, the box office, bad inputs."""
import pytest

import tix


def test_queue_flow(city, clock):
    show = city.show
    onsale = clock.now + 60
    show.set_queue(onsale, capacity=100, rate=2, window=300)
    q = show.queue()
    assert (q["capacity"], q["rate"], q["window"]) == (100, 2, 300)
    assert q["joined"] == 0 and not q["shuffled"]
    tickets = [show.queue_join() for _ in range(10)]
    st = city.db.queue_status(tickets[0])
    assert st["state"] == tix.QueueState.PREQUEUE and st["wait"] == 60
    with pytest.raises(tix.Again):
        show.hold_best(1, queue_ticket=tickets[0])
    with pytest.raises(tix.Permission):
        show.hold([1])
    clock.advance(60)
    places = {t: city.db.queue_status(t)["position"] for t in tickets}
    assert sorted(places.values()) == list(range(10))
    first = min(tickets, key=places.get)
    last = max(tickets, key=places.get)
    assert show.queue()["prequeue"] == 10
    clock.advance(1)                        # two a second
    with show.hold_best(1, queue_ticket=first) as h:
        h.release()
    st = city.db.queue_status(first)
    assert st["state"] == tix.QueueState.ADMITTED
    assert st["window_end"] is not None
    with pytest.raises(tix.Again):
        show.hold([2], queue_ticket=last)
    assert city.db.queue_status(last)["ahead"] == 7
    show.queue_admit(8)
    show.hold([2], queue_ticket=last).release()
    show.hold([3], box_office=True).release()
    show.remove_queue()
    show.hold([4]).release()
    with pytest.raises(tix.NotFound):
        show.queue()
    with pytest.raises(tix.BadCode):
        city.db.queue_status(last)


def test_queue_bad_inputs(city, clock):
    show = city.show
    with pytest.raises(tix.OutOfRange):
        show.set_queue(clock.now, capacity=0)
    with pytest.raises(tix.State):
        show.queue_join()
    show.set_queue(clock.now, capacity=1)
    show.queue_join()
    with pytest.raises(tix.Full):
        show.queue_join()
    with pytest.raises(tix.BadCode):
        city.db.queue_status("Q1nope")
    with pytest.raises(tix.OutOfRange):
        show.queue_admit(0)
