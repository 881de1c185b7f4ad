"""The PDF report: real, extractable text; a new page for each major section; vector charts."""

from __future__ import annotations

import io
import shutil
import subprocess

import pypdf
import pytest
import scipy

import uxlab
from uxlab.reports import render_pdf_report
from uxlab.reports.content import build_report
from uxlab.reports.formatting import percent


@pytest.fixture(scope="module")
def two_variant_pdf(two_variants):
    analysis, context = two_variants
    return analysis, context, render_pdf_report(analysis, context)


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_the_text_is_real_extractable_text(two_variant_pdf):
    analysis, context, pdf = two_variant_pdf
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(_pages(pdf))
    assert "Executive summary" in text
    for key in context.task_order(analysis):
        assert context.task_title(key) in text
    # Numbers of the analysis appear as text, formatted as the report formats them.
    completion = analysis["tasks"][0]["variants"]["A"]["completion"]
    assert percent(completion["estimate"]) in text
    sus = analysis["questionnaires"]["sus"]["variants"]["B"]
    assert f"{sus['mean']:.1f}" in text
    first = analysis["tasks"][0]["comparisons"][0]
    assert f"p = {first['p']:.3f}" in text or "p < 0.001" in text
    # Unicode survives: the minus sign and χ² are text, not boxes.
    assert "−" in text and "χ²" in text
    assert "\x7f" not in text


def test_each_major_section_starts_its_own_page(two_variant_pdf):
    analysis, context, pdf = two_variant_pdf
    report = build_report(analysis, context)
    pages = _pages(pdf)
    assert len(pages) >= len(report.sections)
    first_lines = [page.strip().splitlines()[0] for page in pages if page.strip()]
    position = 0
    for section in report.sections:
        heading = section.title
        if section.kind == "title":
            assert pages[0].strip().splitlines()[1] == heading
            continue
        # The heading is the first text of a page, and sections follow in order.
        matches = [i for i, line in enumerate(first_lines) if line == heading and i >= position]
        assert matches, f"no page starts with {heading!r}"
        position = matches[0]


def test_the_outline_lists_every_section(two_variant_pdf):
    analysis, context, pdf = two_variant_pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    titles = [entry.title for entry in reader.outline]
    assert titles == [s.title for s in build_report(analysis, context).sections]
    assert reader.metadata.title == context.study.title


def test_the_methods_appendix_stamps_the_versions(two_variant_pdf):
    _, _, pdf = two_variant_pdf
    methods = next(page for page in _pages(pdf) if page.startswith("Methods appendix"))
    assert f"uxlab version\n{uxlab.__version__}" in methods
    assert f"scipy version\n{scipy.__version__}" in methods


def test_charts_are_vector_graphics_whose_labels_are_text(two_variant_pdf):
    analysis, context, pdf = two_variant_pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    from uxlab.reports.charts import report_charts

    charts = report_charts(analysis, context).all()
    forms = [name for page in reader.pages
             for name in page["/Resources"].get_object().get("/XObject", {})
             if name.startswith("/UxlabChart")]
    assert len(forms) == len(charts)
    # Only the click maps' densities are pixels (inside their vector charts), not whole charts.
    images = sum(len(page.images) for page in reader.pages)
    assert images < len(charts)
    text = "\n".join(_pages(pdf))
    # The axis labels and titles drawn inside the charts are extractable text.
    for label in ("completion rate", "task time, seconds (geometric mean, log scale)",
                  "Completion rate by task", "SUS score (0–100)"):
        assert label in text, label
    assert "Completion rate by task, each variant's estimate" in " ".join(text.split())


def test_a_document_with_nulls_and_no_context_renders(single_variant_nulls):
    analysis, _ = single_variant_nulls
    pages = _pages(render_pdf_report(analysis))
    text = "\n".join(pages)
    assert "no successful attempts" in text
    assert "No questionnaire answers were analysed" in text
    assert any(page.startswith("Usability problems") for page in pages)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler) not installed")
def test_a_page_rasterizes_to_something_visible(two_variant_pdf, tmp_path):
    import numpy as np
    from PIL import Image

    _, _, pdf = two_variant_pdf
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "3", "-l", "3", str(source),
                    str(tmp_path / "page")], check=True, timeout=60)
    (image_path,) = tmp_path.glob("page*.png")
    pixels = np.asarray(Image.open(image_path).convert("L"))
    assert (pixels < 128).mean() > 0.005  # the chart page is not blank
