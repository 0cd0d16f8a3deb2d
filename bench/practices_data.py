"""Generated good practices, threads and posts for bench/practices.py.

Bench data, written with bulk_create (no audit, no notifications): 10,000 practices over
the demo's places and themes, half of them also in Chinese, a fifth labelled; threads on a
fifth of them, with post counts drawn from a power law (one long thread of several thousand
posts, most with a handful); open needs for a few hundred cities.
"""

from __future__ import annotations

import datetime
import random
import sys
from collections.abc import Callable
from typing import Any

from partners import SUBJECTS  # bench/partners.py: 75 real cooperation subjects

CHINESE = ["垃圾分类", "区域供热", "智慧城市", "公共交通", "节能建筑", "污水处理", "绿色金融",
           "城市更新", "海绵城市", "电动公交", "循环经济", "空气质量监测", "文化遗产保护",
           "养老服务"]
FRAMES = ["{s} in the old town", "a city-wide programme for {s}", "{s} with local companies",
          "pilot on {s}", "{s} for new districts", "{s} with the university"]
RESULTS = ["{n}% less landfill in three years", "{n} households connected",
           "{n} jobs created", "energy use down {n}%", "{n},000 people reached"]

Progress = Callable[[str], None]


def say(line: str) -> None:
    print(f"  {line}", file=sys.stderr, flush=True)


def text_values(rng: random.Random, subject: str) -> dict[str, str]:
    other = rng.choice(SUBJECTS)
    return {
        "title": rng.choice(FRAMES).format(s=subject).capitalize(),
        "summary": f"How the city organised {subject} together with {other}.",
        "problem": f"The city lacked {subject}; {other} was also under pressure.",
        "what_was_done": f"A team set up {subject} step by step, starting with one district, "
                         f"then the whole city, with the help of partners working on {other}.",
        "results": rng.choice(RESULTS).format(n=rng.randint(5, 60)),
        "cost_and_funding": f"{rng.randint(1, 40)} million euros, half from regional funds.",
        "what_it_took": "A project team of five, two years, support from the mayor.",
        "transferability_notes": f"Any city with a plan for {other} can adopt it.",
    }


def chinese_values(rng: random.Random) -> dict[str, str]:
    words = rng.sample(CHINESE, 3)
    return {"title": f"{words[0]}的经验", "summary": f"本市在{words[0]}和{words[1]}方面的做法。",
            "problem": f"{words[2]}不足。", "what_was_done": f"分阶段推进{words[0]}。",
            "results": "成效显著。", "cost_and_funding": "", "what_it_took": "",
            "transferability_notes": ""}


def generate(practices: int, posts: int, needs: int, seed: int = 11,
             progress: Progress = say) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from citycoop.discussions.models import Post, Thread
    from citycoop.practices.models import (
        Need,
        Practice,
        PracticeStatus,
        PracticeText,
        Review,
        ReviewDecision,
    )
    from citycoop.registry.models import Place, Theme

    rng = random.Random(seed)
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"bench-user-{i}") for i in range(300)])
    places = list(Place.objects.exclude(kind="country").values_list("pk", flat=True))
    themes = list(Theme.objects.values_list("pk", flat=True))
    now = timezone.now()
    progress(f"{practices:,} practices")
    rows = []
    for i in range(practices):
        labelled = rng.random() < 0.2
        rows.append(Practice(
            slug=f"bench-practice-{i}", title="", place_id=rng.choice(places),
            status=PracticeStatus.PUBLISHED if rng.random() < 0.9 else PracticeStatus.DRAFT,
            sdgs=sorted(rng.sample(range(1, 18), rng.randint(0, 3))),
            transferability=rng.choice(["low", "medium", "high"]),
            created_by=rng.choice(users), published_at=now - datetime.timedelta(days=i % 900),
            labelled_at=now if labelled else None))
    created = Practice.objects.bulk_create(rows, batch_size=2000)
    texts, links, reviews = [], [], []
    for practice in created:
        values = text_values(rng, rng.choice(SUBJECTS))
        practice.title = values["title"]
        texts.append(PracticeText(practice=practice, language="en", **values))
        if rng.random() < 0.5:
            texts.append(PracticeText(practice=practice, language="zh-hans",
                                      **chinese_values(rng)))
        for theme in rng.sample(themes, min(len(themes), rng.randint(1, 3))):
            links.append(Practice.themes.through(practice_id=practice.pk, theme_id=theme))
        if practice.status == PracticeStatus.PUBLISHED:
            reviews.append(Review(practice=practice, reviewer=rng.choice(users), relevance=4,
                                  evidence=4, transferability=3, participation=4,
                                  decision=ReviewDecision.APPROVE))
    Practice.objects.bulk_update(created, ["title"], batch_size=2000)
    PracticeText.objects.bulk_create(texts, batch_size=2000)
    Practice.themes.through.objects.bulk_create(links, batch_size=2000)
    Review.objects.bulk_create(reviews, batch_size=2000)

    progress(f"threads and {posts:,} posts")
    published = [p for p in created if p.status == PracticeStatus.PUBLISHED]
    discussed = rng.sample(published, max(1, len(published) // 5))
    threads = Thread.objects.bulk_create([
        Thread(title=f"Question on {p.title}"[:200], practice=p, created_by=rng.choice(users))
        for p in discussed], batch_size=2000)
    # Pareto-distributed thread lengths, scaled to the number of posts asked for; the first
    # thread is the long one every forum has.
    weights = [rng.paretovariate(1.2) for _ in threads]
    weights[0] = max(weights) * 3
    scale = posts / sum(weights)
    counts = [max(1, round(w * scale)) for w in weights]
    batch: list[Post] = []
    written = 0
    for thread, count in zip(threads, counts, strict=True):
        started = now - datetime.timedelta(days=rng.randint(1, 700))
        for n in range(count):
            batch.append(Post(thread=thread, author=rng.choice(users),
                              body=f"Reply {n}: how did you fund {rng.choice(SUBJECTS)}?"))
        thread.post_count, thread.last_post_at = count, started
        written += count
        if len(batch) >= 5000:
            Post.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Post.objects.bulk_create(batch, batch_size=5000)
    Thread.objects.bulk_update(threads, ["post_count", "last_post_at"], batch_size=2000)

    progress(f"{needs} needs")
    Need.objects.bulk_create([
        Need(slug=f"bench-need-{i}", place_id=rng.choice(places),
             title=f"We need help with {rng.choice(SUBJECTS)}",
             description=f"Our city wants {rng.choice(SUBJECTS)} within five years.")
        for i in range(needs)], batch_size=2000)
    longest = max(zip(counts, threads, strict=True), key=lambda pair: pair[0])
    return {"practices": len(created), "texts": len(texts), "threads": len(threads),
            "posts": written, "needs": needs, "longest_thread": longest[1].pk,
            "longest_thread_posts": longest[0],
            "busiest_practice": longest[1].practice.slug,
            "typical_practice": published[len(published) // 2].slug}
