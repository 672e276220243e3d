#!/usr/bin/env python3
"""Generate a synthetic Flask monorepo for flasklint's benchmark.

Deterministic: the same --seed and --lines give the same bytes. The tree
looks like real Flask code: packages of blueprints whose views use the
session in all the ways flasklint looks at (and in the right ways too),
models that use `db.session`, services that use `requests.Session()`,
utilities, and tests. `--session-share` is the share of files that are
views using Flask's session (the rest never import it).

    python3 bench/gen_corpus.py --lines 1200000 --session-share 0.2 --templates 2000 --out /tmp/corpus
"""

import argparse
import os
import random
import shutil

WORDS = (
    "account address admin audit basket billing cart catalog checkout coupon customer "
    "delivery discount export feedback invoice inventory ledger login member order "
    "payment preference product profile quote refund report review shipment signup "
    "stock subscription supplier tax ticket token upload voucher warehouse wishlist"
).split()


def words(rng, n):
    return [rng.choice(WORDS) for _ in range(n)]


def ident(rng, n=2):
    return "_".join(words(rng, n))


def camel(rng, n=2):
    return "".join(w.capitalize() for w in words(rng, n))


def view_module(rng, pkg, index):
    bp = f"{pkg}_{index}"
    out = [
        f'"""Views of the {bp} blueprint."""',
        "from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, session, url_for",
        "",
        f"from ..models.{pkg}_models_{index % 7} import *  # noqa: F403",
        "from ..extensions import db",
        "",
        f'bp = Blueprint("{bp}", __name__, url_prefix="/{bp.replace("_", "-")}")',
        "",
    ]
    for n in range(rng.randint(6, 10)):
        out += rng.choices(VIEW_KINDS, weights=VIEW_WEIGHTS)[0](rng, n)
    return out


def route(rng, n, methods="GET"):
    name = f"{ident(rng)}_{n}"
    return name, [
        "",
        f'@bp.route("/{name.replace("_", "-")}", methods=["{methods}"])',
        f"def {name}():",
    ]


def view_ok(rng, n):
    name, out = route(rng, n)
    model = camel(rng, 1)
    return out + [
        '    """Show one item and remember which one was seen last."""',
        '    if "user_id" not in session:',
        '        return redirect(url_for("auth.login", next=request.path))',
        f'    item = {model}.query.get_or_404(request.args.get("id", type=int))',
        '    if item.owner_id != session["user_id"]:',
        '        abort(403)',
        f'    session["last_{ident(rng, 1)}_id"] = item.id',
        f'    related = {model}.query.filter_by(category=item.category).limit(5).all()',
        f'    return render_template("{name}.html", item=item, related=related)',
    ]


def view_update(rng, n):
    name, out = route(rng, n, "POST")
    return out + [
        '    form = request.form',
        '    errors = [field for field in ("email", "name") if not form.get(field)]',
        '    if errors:',
        '        flash("Missing: " + ", ".join(errors))',
        f'        return redirect(url_for(".{name}"))',
        '    session.update({"email": form["email"], "name": form["name"].strip()})',
        '    db.session.commit()',
        f'    return redirect(url_for(".{name}"))',
    ]


def view_list(rng, n):
    name, out = route(rng, n)
    model = camel(rng, 1)
    return out + [
        '    page = request.args.get("page", 1, type=int)',
        f'    query = {model}.query.filter_by(active=True)',
        '    if request.args.get("q"):',
        f'        query = query.filter({model}.name.ilike("%" + request.args["q"] + "%"))',
        '    pagination = query.paginate(page=page, per_page=20)',
        '    session["last_page"] = page',
        f'    return render_template("{name}.html", pagination=pagination, user=session.get("user_id"))',
    ]


def view_repeated(rng, n):
    name, out = route(rng, n, "POST")
    keys = rng.sample(WORDS, 3)
    return out + [
        '    form = request.form',
        '    user = User.query.filter_by(email=form["email"]).first_or_404()',
        *[f'    session["{k}"] = form.get("{k}", "")' for k in keys],
        '    session["user_id"] = user.id',
        f'    flash("Saved {name}")',
        f'    return redirect(url_for(".{name}"))',
    ]


def view_loop(rng, n):
    name, out = route(rng, n, "POST")
    return out + [
        '    for key, value in request.form.items():',
        '        if key.startswith("qty_"):',
        '            session[key] = int(value)',
        '    return redirect(url_for(".index"))',
    ]


def view_large(rng, n):
    name, out = route(rng, n)
    model = camel(rng, 1)
    return out + [
        f'    rows = {model}.query.filter_by(active=True).order_by({model}.id).all()',
        f'    session["{ident(rng)}"] = rows',
        '    session["filters"] = request.args',
        f'    return render_template("{name}.html", rows=rows)',
    ]


def view_unserializable(rng, n):
    name, out = route(rng, n)
    return out + [
        '    tags = {t.strip() for t in request.args.get("tags", "").split(",") if t}',
        '    session["tags"] = tags',
        '    user = User.query.get(session.get("user_id"))',
        '    session["user"] = user',
        f'    return render_template("{name}.html", tags=sorted(tags))',
    ]


def view_mutation(rng, n):
    name, out = route(rng, n, "POST")
    key = ident(rng, 1)
    return out + [
        f'    {key} = session.get("{key}", [])',
        f'    {key}.append(request.form["sku"])',
        '    session.setdefault("history", []).append(request.path)',
        '    return jsonify(ok=True)',
    ]


def view_marked_mutation(rng, n):
    name, out = route(rng, n, "POST")
    return out + [
        '    prefs = session.setdefault("prefs", {})',
        '    prefs["theme"] = request.form.get("theme", "light")',
        '    session.modified = True',
        '    return jsonify(prefs)',
    ]


def view_branches(rng, n):
    name, out = route(rng, n, "POST")
    return out + [
        '    if not request.form.get("email"):',
        '        session["error"] = "missing email"',
        f'        return redirect(url_for(".{name}"))',
        '    try:',
        '        session["step"] = int(request.form["step"])',
        '    except (KeyError, ValueError):',
        '        session["step"] = 1',
        '    return redirect(url_for(".index"))',
    ]


def view_json_api(rng, n):
    name, out = route(rng, n)
    return out + [
        '    payload = {"user": session.get("user_id"), "cart": len(session.get("cart", []))}',
        '    if payload["user"] is None:',
        '        abort(401)',
        '    return jsonify(payload)',
    ]


# Most views use the session correctly; a few make each mistake.
VIEW_KINDS = [
    view_ok, view_update, view_list, view_json_api, view_marked_mutation, view_branches,
    view_repeated, view_loop, view_large, view_unserializable, view_mutation,
]
VIEW_WEIGHTS = [5, 4, 4, 3, 2, 2, 1, 1, 1, 1, 1]


def model_module(rng, pkg, index):
    out = [
        f'"""Models of {pkg}."""',
        "from datetime import datetime",
        "",
        "from ..extensions import db",
        "",
    ]
    for _ in range(rng.randint(4, 7)):
        cls = camel(rng)
        out += [
            "",
            f"class {cls}(db.Model):",
            f'    __tablename__ = "{ident(rng)}"',
            "    id = db.Column(db.Integer, primary_key=True)",
            *[f"    {ident(rng, 1)}_{i} = db.Column(db.String({rng.choice([32, 64, 255])}))" for i in range(rng.randint(3, 8))],
            "    created_at = db.Column(db.DateTime, default=datetime.utcnow)",
            "",
            "    def save(self):",
            "        db.session.add(self)",
            "        db.session.commit()",
            "        return self",
            "",
            "    def to_dict(self):",
            "        return {c.name: getattr(self, c.name) for c in self.__table__.columns}",
        ]
    return out


def service_module(rng, pkg, index):
    cls = camel(rng) + "Client"
    out = [
        f'"""HTTP client for the {ident(rng, 1)} service."""',
        "import logging",
        "",
        "import requests",
        "",
        "log = logging.getLogger(__name__)",
        "",
        "",
        f"class {cls}:",
        "    def __init__(self, base_url, token):",
        "        self.base_url = base_url.rstrip(\"/\")",
        "        self.session = requests.Session()",
        '        self.session.headers["Authorization"] = f"Bearer {token}"',
    ]
    for _ in range(rng.randint(5, 9)):
        method = ident(rng)
        out += [
            "",
            f"    def {method}(self, **params):",
            f'        response = self.session.get(f"{{self.base_url}}/{method}", params=params, timeout=10)',
            "        response.raise_for_status()",
            f'        log.debug("{method} %s", params)',
            "        return response.json()",
        ]
    return out


def util_module(rng, pkg, index):
    out = ['"""Helpers."""', "import re", "from decimal import Decimal", ""]
    for _ in range(rng.randint(6, 12)):
        fn = ident(rng)
        out += [
            "",
            f"def {fn}(value, default=None):",
            '    """Normalise a value from a form."""',
            "    if value is None:",
            "        return default",
            "    text = str(value).strip()",
            '    if re.fullmatch(r"-?\\d+(\\.\\d+)?", text):',
            "        return Decimal(text)",
            "    parts = [p for p in text.split(\",\") if p]",
            "    return parts or default",
        ]
    return out


def test_module(rng, pkg, index):
    out = ['"""Tests."""', "import pytest", "", "from app import create_app", ""]
    out += ["", "@pytest.fixture", "def client():", "    app = create_app({\"TESTING\": True})", "    return app.test_client()"]
    for n in range(rng.randint(5, 9)):
        name = ident(rng)
        out += [
            "",
            f"def test_{name}_{n}(client):",
            f'    response = client.get("/{name.replace("_", "-")}")',
            "    assert response.status_code in (200, 302, 404)",
            "    assert b\"Traceback\" not in response.data",
        ]
    return out


OTHER_KINDS = [("models", model_module), ("services", service_module), ("utils", util_module), ("tests", test_module)]


def template(rng, index):
    """A Jinja page: session reads in tags, and look-alikes in comments,
    text and raw blocks that are not code."""
    out = ['{% extends "base.html" %}', "{% block content %}"]
    for n in range(rng.randint(8, 14)):
        key = ident(rng)
        out += rng.choice([
            [f"<p>{{{{ session.{key} }}}}</p>"],
            [f"{{% if '{key}' in session %}}", f"  <span>{{{{ session['{key}'] }}}}</span>", "{% endif %}"],
            [f'<a href="{{{{ url_for("{key}") }}}}">{{{{ session.get("{key}", "") }}}}</a>'],
            [f"{{# session.{key} is shown above #}}", f"<p>Text about session.{key}, not code.</p>"],
            ["{% raw %}", f"{{{{ session.{key} }}}}", "{% endraw %}"],
            [f"<li>{{{{ item_{n} }}}} of {index}</li>"],
        ])
    out.append("{% endblock %}")
    return out


def generate_templates(out, count, seed):
    """`count` templates under the packages' `templates/` folders."""
    rng = random.Random(seed + 1)
    for index in range(count):
        base = os.path.join(out, "app", f"pkg_{index % 97:04d}", "templates")
        os.makedirs(base, exist_ok=True)
        with open(os.path.join(base, f"page_{index}.html"), "w") as f:
            f.write("\n".join(template(rng, index)) + "\n")


def generate(out, lines, session_share, seed):
    rng = random.Random(seed)
    if os.path.exists(out):
        shutil.rmtree(out)
    written = files = views = 0
    while written < lines:
        pkg = f"pkg_{files // 40:04d}"
        base = os.path.join(out, "app", pkg)
        os.makedirs(base, exist_ok=True)
        if rng.random() < session_share:
            body = view_module(rng, pkg, files)
            name = f"{pkg}_views_{files}.py"
            views += 1
        else:
            kind, make = rng.choice(OTHER_KINDS)
            body = make(rng, pkg, files)
            name = f"{pkg}_{kind}_{files}.py"
        text = "\n".join(body) + "\n"
        with open(os.path.join(base, name), "w") as f:
            f.write(text)
        written += len(body)
        files += 1
    return files, views, written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_200_000)
    parser.add_argument("--session-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--templates", type=int, default=0, help="Jinja templates to add")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    files, views, lines = generate(args.out, args.lines, args.session_share, args.seed)
    generate_templates(args.out, args.templates, args.seed)
    print(f"{args.out}: {files} files, {views} views using the session ({views / files:.0%}), {lines} lines, "
          f"{args.templates} templates")


if __name__ == "__main__":
    main()
