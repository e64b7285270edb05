"""The texts of a figure the gate reads are the texts the figure draws."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lifetools.publication import _figure_texts  # noqa: E402


def test_figure_texts_leave_out_stale_tick_labels_and_keep_every_drawn_one():
    # matplotlib keeps the Tick objects of an earlier layout with their old labels:
    # the 3,000-person monthly referrals figure kept a "16" it never drew, and the
    # figure gate refused the build (wave 34)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 17])
    fig.canvas.draw()
    before = {t.get_text() for t in ax.get_yticklabels()}
    assert "16" in before or "17.5" in before
    ax.set_ylim(0, 5)
    texts = _figure_texts(fig)
    assert "16" not in texts and "17.5" not in texts and "15" not in texts
    assert {"0", "1", "2", "3", "4", "5"} <= set(texts)
    # a number drawn in view is read, whatever put it there
    ax.set_yticks([0, 3, 4.5])
    ax.set_yticklabels(["0", "2634", "4.5"])
    assert "2634" in _figure_texts(fig)
    # a tick outside the view is not drawn, and not read
    ax.set_yticks([0, 3, 40])
    ax.set_yticklabels(["0", "3", "2634"])
    ax.set_ylim(0, 5)
    assert "2634" not in _figure_texts(fig) and "3" in _figure_texts(fig)
    plt.close(fig)


def test_figure_texts_are_the_ticks_of_the_published_drawing_not_the_callers_settings():
    # the tick locator spaces ticks by the labels' font size: a draw in the caller's
    # settings chose 0.0, 2.5, ... 20.0 where the published PNG (drawn in the theme)
    # shows 0, 5, 10, 15, 20, and the gate read texts that are not published (wave 34)
    from lifetools.publication import render_png

    def drawn_ticks(fig):
        ax = fig.axes[0]
        low, high = ax.get_ylim()
        return sorted({t.get_text() for t in ax.yaxis.get_ticklabels()
                       if t.get_text() and low <= t.get_position()[1] <= high},
                      key=lambda t: float(t.replace("\u2212", "-")))

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 17])
    ax.set_xticks([])  # only the y axis's numbers
    published = []
    hook = fig.canvas.mpl_connect("draw_event",
                                  lambda _event: published.append(drawn_ticks(fig)))
    render_png(fig)
    fig.canvas.mpl_disconnect(hook)
    fig.canvas.draw()  # the caller's settings: other ticks (the test's premise)
    assert drawn_ticks(fig) != published[-1]
    numbers = sorted({t for t in _figure_texts(fig)
                      if t.replace(".", "", 1).replace("\u2212", "", 1).isdigit()},
                     key=lambda t: float(t.replace("\u2212", "-")))
    assert numbers == published[-1]
    plt.close(fig)
