"""Tasks, Adam (against torch.optim.Adam), train_block (against torch, the lesson), evaluation and bad input."""

import dataclasses
import pickle
import warnings

import numpy as np
import pytest
import torch
from torch_train_reference import ATTENTION, FEED_FORWARD, cross_entropy, leaves, readouts

import core
from core.train import HELD_OUT, QK_INIT

WORDS = ("the", "cat", "sat", "on", "a", "mat", "dog", "ran", "to", "park")


def vocab10(seed=0, dim=16):
    return core.random_vocabulary(WORDS, dim, seed)


# ---------------------------------------------------------------- tasks


IDS = np.array([[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("previous", [[[-1, 3, 1, 4, 1], [-1, 9, 2, 6, 5]]]),
        ("next", [[[1, 4, 1, 5, -1], [2, 6, 5, 3, -1]]]),
        ("first", [[[3, 3, 3, 3, 3], [9, 9, 9, 9, 9]]]),
        ("neighbours", [[[-1, 3, 1, 4, 1], [-1, 9, 2, 6, 5]], [[1, 4, 1, 5, -1], [2, 6, 5, 3, -1]]]),
        ("highest", [[[5, 5, 5, 5, 5], [9, 9, 9, 9, 9]]]),  # the largest index, wherever it stands
    ],
)
def test_task_targets_by_hand(name, expected):
    targets = core.task_targets(core.TASKS[name], IDS)
    assert targets.shape == (core.TASKS[name].n_targets, 2, 5)
    np.testing.assert_array_equal(targets, expected)


def test_tasks_are_a_read_only_mapping_with_the_five_lessons():
    assert {"previous", "next", "first", "neighbours", "highest"} <= set(core.TASKS)
    assert core.TASKS["neighbours"].min_length == 3
    assert all(core.TASKS[name].min_length == 2 for name in ("previous", "next", "first", "highest"))
    with pytest.raises(TypeError):
        core.TASKS["other"] = core.TASKS["next"]


@pytest.mark.parametrize("target", [("middle", 0), ("relative",), "relative", ("highest", 0, 1)])
def test_a_task_with_an_unknown_kind_of_target_is_refused(target):
    with pytest.raises(core.AttentionInputError, match="kind one of relative, absolute, highest"):
        core.Task("odd", (target,), min_length=2)


def test_a_sentence_of_two_words_has_no_neighbours_target_with_both_sides():
    targets = core.task_targets(core.TASKS["neighbours"], np.array([[0, 1]]))
    np.testing.assert_array_equal(targets, [[[-1, 0]], [[1, -1]]])


# ---------------------------------------------------------------- Adam


@pytest.mark.parametrize(("lr", "betas", "eps"), [(1e-2, (0.9, 0.999), 1e-8), (0.3, (0.5, 0.9), 1e-3)])
def test_adam_matches_torch_optim_adam(lr, betas, eps):
    rng = np.random.default_rng(0)
    params = {"w": rng.normal(size=(3, 4)), "b": rng.normal(size=5)}
    grads_seq = [{"w": rng.normal(size=(3, 4)), "b": rng.normal(size=5) * 10 ** (-i)} for i in range(6)]
    tensors = {n: torch.from_numpy(a.copy()).requires_grad_(True) for n, a in params.items()}
    opt = torch.optim.Adam(list(tensors.values()), lr=lr, betas=betas, eps=eps)
    state = None
    p = params
    for grads in grads_seq:
        for name, t in tensors.items():
            t.grad = torch.from_numpy(grads[name].copy())
        opt.step()
        p, state = core.adam_step(p, grads, state, lr=lr, betas=betas, eps=eps)
    assert state.step == len(grads_seq)
    for name, t in tensors.items():
        np.testing.assert_allclose(p[name], t.detach().numpy(), rtol=1e-13, atol=1e-15, err_msg=name)


def test_adam_first_step_moves_every_parameter_by_lr_against_its_gradient_sign():
    # bias-corrected: m_hat = g, v_hat = g², so the step is lr · g / (|g| + eps)
    p = {"w": np.array([1.0, -2.0, 0.5])}
    g = {"w": np.array([3.0, -1e-3, 40.0])}
    new, state = core.adam_step(p, g)
    np.testing.assert_allclose(new["w"], p["w"] - 1e-2 * g["w"] / (np.abs(g["w"]) + 1e-8), rtol=1e-15)
    np.testing.assert_array_equal(p["w"], [1.0, -2.0, 0.5])  # pure: the input is untouched
    np.testing.assert_allclose(state.m["w"], 0.1 * g["w"])
    np.testing.assert_allclose(state.v["w"], 0.001 * g["w"] ** 2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"grads": {"x": np.ones(2)}}, r"grads must have the names of params \['w'\], but have \['x'\]"),
        ({"grads": {"w": np.ones(3)}}, r"the gradient of w has shape \(3,\), but the parameter has \(2,\)"),
        ({"lr": 0.0}, r"lr must be a finite number > 0"),
        ({"betas": (0.9, 1.0)}, r"betas\[1\] must be in \[0, 1\), but is 1.0"),
        ({"betas": 0.9}, r"betas must be two numbers"),
        ({"eps": -1.0}, r"eps must be a finite number > 0"),
        ({"state": "fresh"}, r"state must be an AdamState or None, but is str"),
        ({"params": [np.ones(2)]}, r"params and grads must be mappings"),
    ],
)
def test_adam_bad_input(kwargs, match):
    args = {"params": {"w": np.ones(2)}, "grads": {"w": np.ones(2)}} | kwargs
    with pytest.raises(core.AttentionInputError, match=match):
        core.adam_step(args.pop("params"), args.pop("grads"), **args)


# ---------------------------------------------------------------- train_block against torch, step by step


@pytest.mark.parametrize("task", ["previous", "neighbours"])
@pytest.mark.parametrize(("feed_forward", "norm_first"), [(False, False), (False, True), (True, False), (True, True)])
def test_three_training_steps_match_torch_autograd_and_adam(task, feed_forward, norm_first):
    vocab = vocab10(seed=1, dim=8)
    steps, batch, length, H, F = 3, 5, 6, 2, 12
    result = core.train_block(
        vocab, task, n_heads=H, rng=np.random.default_rng(4), steps=steps, feed_forward=feed_forward,
        d_ff=F, length=length, norm_first=norm_first, batch_size=batch,
    )  # fmt: skip
    # The same draws in the documented order: block, readouts, held-out sentences, one batch per step.
    rng = np.random.default_rng(4)
    params = core.init_encoder_block(8, H, F, rng)
    a = params.attention
    params = dataclasses.replace(
        params, attention=core.MultiHeadParams(w_q=a.w_q * QK_INIT, w_k=a.w_k * QK_INIT, w_v=a.w_v, w_o=a.w_o)
    )
    readout = core.init_readout(8, 10, rng, n_targets=core.TASKS[task].n_targets)
    rng.integers(0, 10, size=(HELD_OUT, length))
    p = leaves(params, readout)
    trained = [*ATTENTION, "gamma1", "beta1", "w_r", "b_r"] + (
        [*FEED_FORWARD, "gamma2", "beta2"] if feed_forward else []
    )
    opt = torch.optim.Adam([p[n] for n in trained], lr=5e-2)
    pe = core.sinusoidal_positional_encoding(length, 8)
    losses = []
    for _ in range(steps):
        ids = rng.integers(0, 10, size=(batch, length))
        x = torch.from_numpy(vocab.vectors[ids] + pe)
        out = torch_block(x, p, H, norm_first, feed_forward)
        loss = cross_entropy(readouts(out, p), core.task_targets(core.TASKS[task], ids))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    np.testing.assert_allclose(result.losses, losses, rtol=1e-10)
    got = {n: getattr(result.params.attention, n) for n in ATTENTION}
    got |= {n: getattr(result.params.feed_forward, n) for n in FEED_FORWARD}
    got |= {"gamma1": result.params.norm1.gamma, "beta1": result.params.norm1.beta}
    got |= {"gamma2": result.params.norm2.gamma, "beta2": result.params.norm2.beta}
    got |= {"w_r": result.readout.w_r, "b_r": result.readout.b_r}
    for name, t in p.items():
        np.testing.assert_allclose(got[name], t.detach().numpy(), rtol=1e-9, atol=1e-12, err_msg=name)
    if not feed_forward:  # untouched: the initial draw
        for name in FEED_FORWARD:
            np.testing.assert_array_equal(getattr(result.params.feed_forward, name), getattr(params.feed_forward, name))
        np.testing.assert_array_equal(result.params.norm2.gamma, np.ones(8))
        np.testing.assert_array_equal(result.params.norm2.beta, np.zeros(8))


def torch_block(x, p, H, norm_first, feed_forward):
    """The block with torch ops, as torch_train_reference's functional model (default scale, no mask)."""
    B, T, D = x.shape

    def multi_head(a):
        q, k, v = (torch.einsum("btd,hdk->bhtk", a, p[n]) for n in ("w_q", "w_k", "w_v"))
        heads = torch.nn.functional.scaled_dot_product_attention(q, k, v)
        return heads.transpose(1, 2).reshape(B, T, -1) @ p["w_o"]

    def norm(z, i):
        return torch.nn.functional.layer_norm(z, (D,), p[f"gamma{i}"], p[f"beta{i}"], 1e-5)

    def ffn(z):
        return torch.relu(z @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]

    if norm_first:
        h = x + multi_head(norm(x, 1))
        return h + ffn(norm(h, 2)) if feed_forward else h
    h = norm(x + multi_head(x), 1)
    return norm(h + ffn(h), 2) if feed_forward else h


# ---------------------------------------------------------------- the lesson

NEIGHBOUR_SEEDS = [(0, 0), (1, 1), (2, 2), (3, 3)]  # (vocabulary seed, training seed)


def attention_profile(result, vocab, rng, n_sentences=HELD_OUT):
    """offsets (2T-1,) and weights (H, 2T-1): each head's mean weight from a token to the token ``offset``
    places away, over held-out sentences (the mean over the queries that have one)."""
    T = result.length
    ids = core.train.sample_sentences(len(vocab), n_sentences, T, rng)
    _, weights = core.train._pass(result, vocab, ids, None)  # (B, H, T, T)
    mean = weights.mean(axis=0)  # (H, T, T)
    offsets = np.arange(-(T - 1), T)
    rel = np.arange(T)[None, :] - np.arange(T)[:, None]  # (T, T): key j - query i
    return offsets, np.stack([mean[:, rel == o].mean(axis=-1) for o in offsets], axis=-1)


def head_sides(result, vocab):
    """(weight at offset -1, weight at offset +1, offset of the largest weight) for each head."""
    offsets, weights = attention_profile(result, vocab, np.random.default_rng(99))
    at = list(offsets)
    return [(w[at.index(-1)], w[at.index(1)], int(offsets[np.argmax(w)])) for w in weights]


@pytest.mark.parametrize(("vocab_seed", "seed"), NEIGHBOUR_SEEDS)
def test_two_heads_learn_neighbours_one_head_per_side(vocab_seed, seed):
    vocab = vocab10(vocab_seed)
    result = core.train_block(vocab, "neighbours", n_heads=2, rng=np.random.default_rng(seed))
    assert result.accuracy >= 0.95
    sides = head_sides(result, vocab)
    assert sorted(side[2] for side in sides) == [-1, 1]  # one head looks back, the other ahead
    for prev, nxt, _ in sides:
        assert max(prev, nxt) > 0.5 and min(prev, nxt) < 0.2
    ablation = core.ablate_heads(result, vocab, "neighbours", np.random.default_rng(7))
    assert ablation.accuracy >= 0.95
    assert all(acc <= 0.75 for acc in ablation.head_off)  # each head carries one side


@pytest.mark.parametrize(("vocab_seed", "seed"), NEIGHBOUR_SEEDS[:3])
def test_one_head_cannot_learn_neighbours(vocab_seed, seed):
    result = core.train_block(vocab10(vocab_seed), "neighbours", n_heads=1, rng=np.random.default_rng(seed))
    assert result.accuracy <= 0.75


@pytest.mark.parametrize(("vocab_seed", "seed"), NEIGHBOUR_SEEDS[:3])
def test_one_head_learns_previous(vocab_seed, seed):
    vocab = vocab10(vocab_seed)
    result = core.train_block(vocab, "previous", n_heads=1, rng=np.random.default_rng(seed))
    assert result.accuracy >= 0.95
    [(_, _, peak)] = head_sides(result, vocab)
    assert peak == -1


def test_heads_trained_on_highest_attend_by_content_not_by_offset():
    """Where a convolution's kernel sits at fixed offsets, these heads follow a word: from every query,
    most weight lands wherever the sentence's highest word stands, so the offset they look at moves
    from sentence to sentence and from query to query."""
    vocab = core.random_vocabulary(WORDS[:6], 8, 0)
    result = core.train_block(vocab, "highest", n_heads=2, rng=np.random.default_rng([0, 3]))
    assert result.accuracy >= 0.95
    ids = core.train.sample_sentences(len(vocab), 256, result.length, np.random.default_rng(5))
    _, weights = core.train._pass(result, vocab, ids, None)  # (B, H, T, T)
    on_highest = ids == ids.max(axis=1, keepdims=True)  # (B, T): the keys holding the target
    mass = (weights * on_highest[:, None, None, :]).sum(axis=-1)  # (B, H, T)
    assert mass.mean(axis=(0, 2)).max() >= 0.9  # a head puts ≥ 90% of its weight on the word
    # No fixed offset explains it: the most-used offset of the best head takes a minority of the weight.
    _, profile = attention_profile(result, vocab, np.random.default_rng(6))
    assert profile[np.argmax(mass.mean(axis=(0, 2)))].max() < 0.5


# ---------------------------------------------------------------- train_block: the result


@pytest.fixture(scope="module")
def trained():
    vocab = vocab10()
    return vocab, core.train_block(vocab, "neighbours", n_heads=2, rng=np.random.default_rng(0), steps=800)


def test_result_fields(trained):
    _, result = trained
    assert isinstance(result.params, core.EncoderBlockParams)
    assert (result.params.d_model, result.params.n_heads, result.params.d_ff) == (16, 2, 64)
    assert result.params.attention.d_k == 8
    assert isinstance(result.readout, core.ReadoutParams)
    assert result.readout.w_r.shape == (2, 16, 10)  # one readout per target
    assert len(result.losses) == 800
    assert all(isinstance(loss, float) for loss in result.losses)
    assert 0.0 <= result.accuracy <= 1.0
    assert result.task is core.TASKS["neighbours"]
    assert (result.feed_forward, result.norm_first, result.length) == (False, False, 8)
    assert np.mean(result.losses[-50:]) < 0.2 * np.mean(result.losses[:50])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.accuracy = 1.0


def test_untrained_feed_forward_is_its_initial_draw(trained):
    _, result = trained
    initial = core.init_encoder_block(16, 2, 64, np.random.default_rng(0))
    for name in FEED_FORWARD:
        np.testing.assert_array_equal(getattr(result.params.feed_forward, name), getattr(initial.feed_forward, name))
    np.testing.assert_array_equal(result.params.norm2.gamma, np.ones(16))


def test_the_trained_block_runs_through_multi_head_attention(trained):
    # the page can use .params with core's own functions: same weights as run_trained reports
    vocab, result = trained
    run = core.run_trained(result, vocab, "the cat sat on a mat dog ran")
    x = vocab.embed(run.words) + core.sinusoidal_positional_encoding(8, 16)
    attention = core.multi_head_attention(x, result.params.attention)
    np.testing.assert_allclose(run.weights, attention.weights, rtol=1e-12, atol=1e-14)
    n1 = result.params.norm1
    out = core.layer_norm(x + attention.output, n1.gamma, n1.beta)
    for k in range(2):
        np.testing.assert_allclose(run.logits[k], out @ result.readout.w_r[k] + result.readout.b_r[k], rtol=1e-11)
    np.testing.assert_allclose(run.weights.sum(axis=-1), 1.0, rtol=1e-13)
    np.testing.assert_array_equal(run.targets, core.task_targets(core.TASKS["neighbours"], np.array([range(8)]))[:, 0])
    assert run.correct[0, 0] == False and run.correct[1, 7] == False  # noqa: E712 - no target there
    assert run.correct.sum() >= 12  # 14 targets, a well-trained block


def test_evaluate_and_head_switches(trained):
    vocab, result = trained
    full = core.evaluate(result, vocab, "neighbours", np.random.default_rng(1))
    assert abs(full - result.accuracy) < 0.03
    same = core.evaluate(result, vocab, "neighbours", np.random.default_rng(1), head_mask=[True, True])
    assert same == full
    ablation = core.ablate_heads(result, vocab, "neighbours", np.random.default_rng(1))
    assert ablation.accuracy == full
    for h in range(2):
        off = core.evaluate(result, vocab, "neighbours", np.random.default_rng(1), head_mask=np.arange(2) != h)
        assert off == ablation.head_off[h]
        assert off < full - 0.2
    none = core.evaluate(result, vocab, "neighbours", np.random.default_rng(1), head_mask=[0, 0])
    assert none < 0.5


def test_evaluate_on_other_lengths(trained):
    vocab, result = trained
    longer = core.evaluate(result, vocab, "neighbours", np.random.default_rng(2), length=12, n_sentences=64)
    assert 0.0 <= longer <= 1.0


def test_result_survives_pickle(trained):
    # st.cache_data pickles what it caches
    vocab, result = trained
    copy = pickle.loads(pickle.dumps(result))
    assert copy.losses == result.losses
    np.testing.assert_array_equal(copy.params.attention.w_q, result.params.attention.w_q)
    assert core.evaluate(copy, vocab, "neighbours", np.random.default_rng(3)) == core.evaluate(
        result, vocab, "neighbours", np.random.default_rng(3)
    )


def test_training_is_deterministic_given_the_generator_and_calls_back_each_step():
    vocab = vocab10(dim=8)
    calls = []
    a = core.train_block(
        vocab, "first", n_heads=2, rng=np.random.default_rng(5), steps=30, callback=lambda *c: calls.append(c)
    )
    b = core.train_block(vocab, "first", n_heads=2, rng=np.random.default_rng(5), steps=30)
    c = core.train_block(vocab, "first", n_heads=2, rng=np.random.default_rng(6), steps=30)
    assert a.losses == b.losses
    np.testing.assert_array_equal(a.params.attention.w_o, b.params.attention.w_o)
    assert a.accuracy == b.accuracy
    assert a.accuracies == b.accuracies
    assert a.losses != c.losses
    assert calls == [(step, loss) for step, loss in zip(range(1, 31), a.losses, strict=True)]


@pytest.mark.parametrize(
    ("task", "norm_first", "feed_forward"), [("next", True, False), ("first", False, True), ("neighbours", True, True)]
)
def test_other_orders_and_the_whole_block_train(task, norm_first, feed_forward):
    vocab = vocab10(2)
    result = core.train_block(
        vocab,
        task,
        n_heads=2,
        rng=np.random.default_rng(8),
        steps=400,
        norm_first=norm_first,
        feed_forward=feed_forward,
        d_ff=32,
    )
    assert result.params.d_ff == 32
    assert np.mean(result.losses[-20:]) < 0.5 * np.mean(result.losses[:20])
    assert result.accuracy >= 0.9


# ---------------------------------------------------------------- accuracy per step

# Recorded before train_block measured the batch accuracy (losses at steps 1, 10, steps/2 and steps,
# their sum, the held-out accuracy, and the sums of W_O and W_r after training): measuring it must
# change no number the training computes.
FINGERPRINTS = [
    (
        {"vocab_seed": 0, "dim": 16, "task": "neighbours", "n_heads": 2, "seed": 0, "steps": 60},
        (2.4588453578182885, 2.1706534421834243, 1.6990289647981593, 1.2614807966432238),
        (104.53741062620063, 0.5248325892857143, -5.661261208603748, 1.1879503843677979),
    ),
    (
        {"vocab_seed": 1, "dim": 8, "task": "previous", "n_heads": 1, "seed": 3, "steps": 40, "ffn": True, "pre": True},
        (2.690305375373586, 2.2473290688803718, 2.041533570784598, 1.916349230733758),
        (84.6789024997866, 0.34765625, -0.40497003307803725, -1.2073377447673093),
    ),
]


@pytest.mark.parametrize(("case", "losses", "sums"), FINGERPRINTS, ids=["neighbours", "previous-ffn-prenorm"])
def test_the_losses_and_weights_are_the_ones_trained_before_accuracy_was_recorded(case, losses, sums):
    result = core.train_block(
        vocab10(case["vocab_seed"], dim=case["dim"]),
        case["task"],
        n_heads=case["n_heads"],
        rng=np.random.default_rng(case["seed"]),
        steps=case["steps"],
        feed_forward=case.get("ffn", False),
        norm_first=case.get("pre", False),
    )
    n = case["steps"]
    got = [result.losses[i] for i in (0, 9, n // 2, n - 1)]
    np.testing.assert_allclose(got, losses, rtol=1e-10)
    got_sums = (sum(result.losses), result.accuracy, result.params.attention.w_o.sum(), result.readout.w_r.sum())
    np.testing.assert_allclose(got_sums, sums, rtol=1e-9)


def test_one_accuracy_per_step_between_0_and_1(trained):
    _, result = trained
    assert len(result.accuracies) == len(result.losses) == 800
    assert all(isinstance(a, float) and 0.0 <= a <= 1.0 for a in result.accuracies)
    # fresh sentences every step: the last batches score about what the held-out sentences do
    assert abs(np.mean(result.accuracies[-50:]) - result.accuracy) < 0.05


def test_the_accuracy_rises_on_previous_from_chance_to_the_held_out_accuracy():
    result = core.train_block(vocab10(1), "previous", n_heads=1, rng=np.random.default_rng(1), steps=300)
    acc = np.array(result.accuracies)
    assert acc[:10].mean() < 0.35  # chance is 1 in 10 words
    assert acc[-30:].mean() > 0.95 and result.accuracy > 0.95
    assert abs(acc[-30:].mean() - result.accuracy) < 0.03
    window = np.convolve(acc, np.ones(30) / 30, mode="valid")  # moving mean over 30 steps
    assert window[-1] > window[0] + 0.6 and window[-1] >= window.max() - 0.01


@pytest.mark.parametrize("step", [1, 7])
def test_a_steps_accuracy_is_its_batch_scored_before_its_update(step):
    # train_block draws one batch per step after everything else: train step - 1 steps, and the
    # generator's next batch is the one step ``step`` trains on; score it with the weights so far.
    vocab, task = vocab10(2, dim=8), core.TASKS["neighbours"]
    full = core.train_block(vocab, task, n_heads=2, rng=np.random.default_rng(11), steps=10)
    rng = np.random.default_rng(11)
    if step == 1:  # no step yet: the initial draw, as train_block makes it
        params = core.init_encoder_block(8, 2, 32, rng)
        a = params.attention
        params = dataclasses.replace(
            params, attention=core.MultiHeadParams(w_q=a.w_q * QK_INIT, w_k=a.w_k * QK_INIT, w_v=a.w_v, w_o=a.w_o)
        )
        readout = core.init_readout(8, 10, rng, n_targets=2)
        rng.integers(0, 10, size=(HELD_OUT, 8))
    else:
        before = core.train_block(vocab, task, n_heads=2, rng=rng, steps=step - 1)
        assert before.losses == full.losses[: step - 1]
        params, readout = before.params, before.readout
    ids = rng.integers(0, 10, size=(64, 8))
    x = vocab.vectors[ids] + core.sinusoidal_positional_encoding(8, 8)
    logits = core.block_forward(x, params, readout).logits  # (K, B, T, V)
    targets = core.task_targets(task, ids)
    has = targets >= 0
    expected = np.count_nonzero((logits.argmax(axis=-1) == targets) & has) / np.count_nonzero(has)
    assert full.accuracies[step - 1] == pytest.approx(expected, abs=1e-12)
    assert full.accuracies[step - 1] != full.accuracies[step]  # a different batch, other weights


def test_a_callback_that_takes_accuracy_gets_it_and_an_old_one_does_not():
    vocab = vocab10(dim=8)
    old, keyword, kwargs = [], [], []

    def new_style(step, loss, *, accuracy):
        keyword.append((step, loss, accuracy))

    result = core.train_block(
        vocab, "first", n_heads=2, rng=np.random.default_rng(5), steps=12, callback=lambda step, loss: old.append(loss)
    )
    core.train_block(vocab, "first", n_heads=2, rng=np.random.default_rng(5), steps=12, callback=new_style)
    core.train_block(
        vocab, "first", n_heads=2, rng=np.random.default_rng(5), steps=12, callback=lambda *a, **kw: kwargs.append(kw)
    )
    assert old == list(result.losses)
    assert keyword == list(zip(range(1, 13), result.losses, result.accuracies, strict=True))
    assert kwargs == [{"accuracy": a} for a in result.accuracies]


# ---------------------------------------------------------------- non-finite training


def test_a_training_that_overflows_stops_with_a_message():
    calls = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way
        with pytest.raises(core.AttentionInputError, match=r"training produced a non-finite loss \(\w+\) at step \d+"):
            core.train_block(
                vocab10(),
                "previous",
                n_heads=2,
                rng=np.random.default_rng(0),
                steps=50,
                lr=1e300,
                callback=lambda *c: calls.append(c),
            )
    assert 0 < len(calls) < 50


def test_huge_word_vectors_are_refused_before_training():
    vocab = core.Vocabulary(words=WORDS[:4], vectors=np.full((4, 4), 1e300) * np.arange(1, 5))
    rng = np.random.default_rng(0)
    with pytest.raises(
        core.AttentionInputError, match=r"values of the word vectors must lie within ±1e\+100 .* 4e\+300"
    ):
        core.train_block(vocab, "previous", n_heads=2, rng=rng, steps=5)
    np.testing.assert_array_equal(rng.random(2), np.random.default_rng(0).random(2))


# ---------------------------------------------------------------- bad input

V10 = vocab10(dim=4)
RNG = np.random.default_rng


def train(**kw):
    args = {"vocab": V10, "task": "previous", "n_heads": 2, "rng": RNG(0), "steps": 2} | kw
    return core.train_block(args.pop("vocab"), args.pop("task"), **args)


BAD = [
    ({"vocab": V10.vectors}, r"vocab must be a Vocabulary .*ndarray"),
    ({"vocab": core.random_vocabulary(["a", "b"], 4, 0)}, r"at least 3 words .*, but it has 2"),
    ({"vocab": core.random_vocabulary(WORDS, 1, 0)}, r"width >= 2 .*, but the width is 1"),
    (
        {"task": "middle"},
        r"task must be one of previous, next, first, neighbours, highest \(or a Task\), but is 'middle'",
    ),
    ({"task": None}, r"task must be one of"),
    ({"n_heads": 0}, r"n_heads must be >= 1, but is 0"),
    ({"n_heads": 1.5}, r"n_heads must be a whole number"),
    ({"rng": 0}, r"rng must be an np\.random\.Generator"),
    ({"steps": 0}, r"steps must be >= 1"),
    ({"steps": 10.0}, r"steps must be a whole number"),
    ({"feed_forward": 1}, r"feed_forward must be True or False"),
    ({"norm_first": None}, r"norm_first must be True or False"),
    ({"d_ff": 0}, r"d_ff must be >= 1"),
    ({"length": 1}, r"the task 'previous' needs sentences of at least 2 words, but length is 1"),
    ({"task": "neighbours", "length": 2}, r"'neighbours' needs sentences of at least 3 words, but length is 2"),
    ({"length": 0}, r"length must be >= 1"),
    ({"length": True}, r"length must be a whole number"),
    ({"callback": "print"}, r"callback must be a function \(step, loss\) or None"),
    ({"batch_size": 0}, r"batch_size must be >= 1"),
    ({"lr": -1.0}, r"lr must be a finite number > 0"),
]


@pytest.mark.parametrize(("kw", "match"), BAD, ids=[m[:30] for _, m in BAD])
def test_bad_input_raises_before_training(kw, match):
    with pytest.raises(core.AttentionInputError, match=match):
        train(**kw)


def test_bad_input_draws_nothing_from_the_generator():
    rng = np.random.default_rng(3)
    with pytest.raises(core.AttentionInputError):
        train(rng=rng, length=1)
    np.testing.assert_array_equal(rng.random(3), np.random.default_rng(3).random(3))


def test_after_training_bad_input(trained):
    vocab, result = trained
    with pytest.raises(
        core.AttentionInputError, match=r"trained on 10 words of width 16, but the vocabulary has 10 words of width 8"
    ):
        core.evaluate(result, vocab10(dim=8), "neighbours", RNG(0))
    with pytest.raises(core.AttentionInputError, match=r"'previous' has 1 target\(s\) per position, but .* 2 readout"):
        core.evaluate(result, vocab, "previous", RNG(0))
    with pytest.raises(core.AttentionInputError, match=r"head_mask must hold one on/off value per head, shape \(2,\)"):
        core.evaluate(result, vocab, "neighbours", RNG(0), head_mask=[True])
    with pytest.raises(core.AttentionInputError, match=r"needs sentences of at least 3 words, but length is 2"):
        core.evaluate(result, vocab, "neighbours", RNG(0), length=2)
    with pytest.raises(core.AttentionInputError, match=r"result must be a TrainResult"):
        core.evaluate(result.params, vocab, "neighbours", RNG(0))
    with pytest.raises(core.AttentionInputError, match=r"unknown words \(not in the vocabulary\): bird"):
        core.run_trained(result, vocab, "the bird sat")
    with pytest.raises(core.AttentionInputError, match=r"the sentence is empty"):
        core.run_trained(result, vocab, "")


def test_training_cost_counts_the_products_of_a_step_and_of_the_evaluations():
    # T=2, D=3, V=5, one target: forward = 2·3·9 + 2·3·3 + 2·2·2·3 + 2·3·5 = 54 + 18 + 24 + 30 = 126
    cost = core.training_cost(5, 3, steps=7, n_targets=1, length=2, batch_size=4, evaluations=0)
    assert cost == 126 * 3 * 4 * 7
    with_eval = core.training_cost(5, 3, steps=7, n_targets=1, length=2, batch_size=4, evaluations=3)
    assert with_eval - cost == 126 * 3 * core.train.HELD_OUT
    ffn = core.training_cost(5, 3, steps=7, n_targets=1, length=2, batch_size=4, evaluations=0, feed_forward=True)
    assert ffn - cost == 2 * 2 * 3 * 12 * 3 * 4 * 7  # two layers of T·D·4D
    assert core.training_cost(10, 16) == core.training_cost(10, 16, steps=core.train.DEFAULT_STEPS)


@pytest.mark.parametrize(
    "bad", [{"steps": 0}, {"evaluations": -1}, {"feed_forward": 1}, {"feed_forward": True, "d_ff": 0}]
)
def test_training_cost_refuses_bad_sizes(bad):
    with pytest.raises(core.AttentionInputError):
        core.training_cost(10, 16, **bad)
