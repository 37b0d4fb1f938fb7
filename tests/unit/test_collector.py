"""The collector pause around a read-model build restores the state it found."""
import gc

from bot.store.collector import collector_paused


def test_paused_inside_and_resumed_after_nested_blocks():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a second build (another engine) overlapping the first
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer build is still running
    assert gc.isenabled()


def test_resumed_after_an_error():
    try:
        with collector_paused():
            raise RuntimeError("build failed")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_left_off_when_it_was_off_before():
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


# -- freeing a retired read model piece by piece ----------------------------------------
class _Node:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def test_dismantle_empties_what_only_it_holds_and_leaves_shared_containers_whole():
    from bot.store.collector import dismantle

    shared_list = [1, 2, 3]            # a series a reply still holds
    module_table = {"a": 1}            # a module's table the model refers to
    inner = {"k": [object() for _ in range(5000)]}
    model = _Node(by_date={f"d{i}": [i] * 3 for i in range(3000)}, shared=shared_list, table=module_table,
                  nested=(inner, [inner]), obj=_Node(big=list(range(10))))
    held_inner = inner["k"]  # held outside as well: must survive intact
    box = [model]
    del model, inner
    n = dismantle(box)
    assert box == []
    assert shared_list == [1, 2, 3] and module_table == {"a": 1}
    assert len(held_inner) == 5000
    assert n > 3000  # one step per reference let go, not one cascade


def test_dismantle_offers_the_gil_between_chunks(monkeypatch):
    import bot.store.collector as collector

    calls = []
    monkeypatch.setattr(collector.time, "sleep", lambda s: calls.append(s))
    box = [[[i] for i in range(collector.CHUNK * 3)]]
    collector.dismantle(box)
    assert len(calls) >= 3 and all(s == 0 for s in calls)


def test_retire_frees_once_nobody_holds_the_model():
    import threading
    import weakref

    from bot.store.collector import retire, retired_count

    gc.disable()
    try:
        model = _Node(rows=[[i] for i in range(20000)])
        ref = weakref.ref(model)
        reader_has_it = model  # a reader still answering from it
        before = retired_count()
        retire(model)
        del model
        done = threading.Event()
        # it waits for the reader: nothing is emptied while it is in use
        assert len(reader_has_it.rows) == 20000
        del reader_has_it
        for _ in range(6000):  # bounded wait for the reaper thread (up to 60 s on a loaded machine)
            if ref() is None and retired_count() > before:
                done.set()
                break
            threading.Event().wait(0.01)
        assert done.is_set(), "the reaper never freed the retired model"
    finally:
        gc.enable()
