"""Django's template language against Jinja2 on the same markup: a list's table body (50 rows x 9 cells,
templates/jinja2/ui/list_rows.html and the same loop in DTL) and a filter drop-down of 126 towns (Django's
stock widget templates in each engine). Prints milliseconds per render; asserts nothing. No database.

    .venv/bin/python benchmarks/templates.py [--rounds 5]
"""

import argparse
import os
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingyuan_renovation.settings")

import django  # noqa: E402

django.setup()

from django import forms  # noqa: E402
from django.forms.renderers import DjangoTemplates, Jinja2  # noqa: E402
from django.template import Context, Template, engines  # noqa: E402

# templates/jinja2/ui/list_rows.html in Django's language, with the `cell` filter's work done by the
# `default` filter and Django's own localisation.
DTL_ROWS = Template(
    '{% for row in rows %}<tr>{% for cell in row %}<td{% if cell.numeric %} class="num"{% endif %}>'
    '{% if cell.url %}<a href="{{ cell.url }}">{{ cell.value|default:"—" }}</a>{% else %}{{ cell.value|default:"—" }}'
    "{% endif %}</td>{% endfor %}</tr>{% endfor %}")


def _rows():
    return [[{"value": f"示例小区-{i:04d}" if c == 0 else i * c, "url": f"/compounds/{i}/" if c == 0 else None,
              "numeric": c > 2} for c in range(9)] for i in range(50)]


class TownFilter(forms.Form):
    town = forms.ChoiceField(choices=[("", "全部")] + [(str(i), f"示例乡镇-{i:03d}") for i in range(126)],
                             initial="7")


def _ms(func, rounds: int, number: int = 50) -> float:
    return min(timeit.repeat(func, number=number, repeat=rounds)) / number * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    rows = _rows()
    jinja_rows = engines["jinja2"].get_template("ui/list_rows.html")
    figures = {
        "table body 50x9, Django templates": _ms(lambda: DTL_ROWS.render(Context({"rows": rows})), rounds),
        "table body 50x9, Jinja2": _ms(lambda: jinja_rows.render({"rows": rows}), rounds),
    }
    for label, renderer in (("Django templates", DjangoTemplates()), ("Jinja2", Jinja2())):
        form = TownFilter(renderer=renderer)
        figures[f"<select> of 126 towns, {label}"] = _ms(lambda form=form: str(form["town"]), rounds)
    for label, ms in figures.items():
        print(f"{label:45s} {ms:7.2f} ms")


if __name__ == "__main__":
    main()
