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
