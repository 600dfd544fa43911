"""The optimizer retries a failing run with adjusted parameters and keeps the best."""

from __future__ import annotations


def test_a_failing_start_is_improved_and_every_attempt_recorded(real_split):
    from e2i_synth.privacy import copula
    from e2i_synth.privacy.failures import FailureClass
    from e2i_synth.privacy.optimizer import optimize

    train, holdout = real_split
    run = optimize(copula.FAMILY, "t", train, holdout, params={"shrinkage": 1.0})
    first = run.attempts[0]
    assert FailureClass.HIGH_CORR_DELTA in [f.kind for f in first.failures]
    assert len(run.attempts) > 1
    assert run.attempts[1].params["shrinkage"] == 0.25
    assert run.best.scorecard.all_green
    assert run.best.scorecard.corr_delta < first.scorecard.corr_delta
    frame = run.as_frame()
    assert list(frame.index) == list(range(1, len(run.attempts) + 1))
    assert (frame["seconds"] > 0).all() and "param.shrinkage" in frame


def test_retries_stop_at_the_limit_and_keep_the_least_bad(real_split):
    from e2i_synth.privacy import copula
    from e2i_synth.privacy.optimizer import MAX_RETRIES, optimize

    train, holdout = real_split
    # A 1.0 smoothing with every retry halving it from 8: never all green within 3 retries.
    run = optimize(copula.FAMILY, "t", train, holdout, params={"smoothing": 8.0, "shrinkage": 0.0})
    assert len(run.attempts) <= MAX_RETRIES + 1
    excesses = [a.excess for a in run.attempts]
    assert run.best.excess == min(
        a.excess for a in run.attempts if len(a.failures) == len(run.best.failures)
    )
    assert len(set(excesses)) > 1


def test_starting_params_depend_on_data_size():
    from e2i_synth.privacy import copula

    small, large = copula.starting_params(500, 10), copula.starting_params(50_000, 10)
    assert small["smoothing"] > large["smoothing"]
    assert small["quantiles"] < large["quantiles"]
