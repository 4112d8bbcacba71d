"""Chapter 11's figure: `kt.draw_data_parallel`, one step of synchronous data parallelism."""

import pytest

import kerastutor as kt


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


@pytest.mark.parametrize("replicas, batch", [(2, 256), (4, 64), (8, 1024)])
def test_one_row_per_replica_with_its_share_of_the_batch(replicas, batch):
    texts = _texts(kt.draw_data_parallel(replicas, batch))
    assert texts.count(f"{batch // replicas} samples") == replicas
    assert sum(t.startswith("replica ") for t in texts) == replicas
    assert sum(t.startswith("grads ") for t in texts) == replicas
    assert texts.count("same update\nof the weights") == replicas
    assert f"global batch\n{batch} samples" in texts
    assert sum("all-reduce" in t for t in texts) == 1  # one synchronisation point


def test_title_names_both_batch_sizes():
    title = kt.draw_data_parallel(2, 256).axes[0].get_title(loc="left")
    assert "global batch 256" in title and "128 per replica" in title
    assert kt.draw_data_parallel(2, 256, title="mine").axes[0].get_title(loc="left") == "mine"


def test_draws_to_png():
    assert kt.draw_data_parallel()._repr_png_()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "replicas, batch", [(1, 256), (9, 900), (2, 255), (3, 2), (2.0, 256), (True, 256)]
)
def test_rejects_what_cannot_be_drawn(replicas, batch):
    with pytest.raises(ValueError):
        kt.draw_data_parallel(replicas, batch)
