//! The report's one stylesheet, inlined so the file needs nothing else.
//! Written for print first: page margins that suit A4 and Letter, a page
//! break between sections, rows that never split, headers repeated on every
//! page, and light tints with dark outlines that survive black and white.

pub(super) const STYLESHEET: &str = r#"
@page {
  margin: 14mm 12mm 16mm 12mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif; color: #555; }
}
:root { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  font-family: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif;
  font-size: 10pt; line-height: 1.35; color: #1a1a1a; margin: 0;
}
@media screen {
  body { max-width: 200mm; margin: 8mm auto; padding: 0 6mm; }
  .page { border-bottom: 1px dashed #aaa; padding-bottom: 8mm; margin-bottom: 8mm; }
}
@media print { body { font-size: 9pt; } }
.page:not(:last-child) { break-after: page; }
h1 { font-size: 18pt; margin: 0 0 1mm; }
h2 { font-size: 14pt; margin: 0 0 1mm; break-after: avoid; }
h3 { font-size: 11pt; margin: 5mm 0 1.5mm; break-after: avoid; border-bottom: 0.75pt solid #888; padding-bottom: 0.5mm; }
p { margin: 1mm 0 2mm; }
.subtitle { color: #444; margin-bottom: 4mm; }
.muted { color: #555; }
.grid { display: grid; grid-template-columns: 1fr 1fr; column-gap: 8mm; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; }
thead { display: table-header-group; }
tr, tbody.finding, .item-finding, figure.chart { break-inside: avoid; }
th, td { padding: 0.55mm 1.4mm; text-align: left; vertical-align: top; border-bottom: 0.5pt solid #c4c4c4; }
th { background: #edf0f4; font-weight: 600; border-bottom: 0.9pt solid #777; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.meta th { background: none; border-bottom: 0.5pt solid #c4c4c4; width: 32%; font-weight: 600; }
table.totals td.label { font-weight: 600; }
table.totals tr.net td { border-top: 0.9pt solid #777; font-weight: 700; }
table.pairs, table.mapping-issues { font-size: 0.92em; table-layout: fixed; }
table.pairs td, table.mapping-issues td { overflow-wrap: break-word; }
table.pairs th, table.mapping-issues th { white-space: normal; }
.cover h3 { margin-top: 4mm; }
h3 .muted { font-size: 0.8em; font-weight: normal; }
tbody.finding tr.figures td { border-bottom: none; padding-bottom: 0.3mm; }
tbody.finding tr.explanation td { color: #333; padding-top: 0; font-style: italic; }
.under { color: #1d4f80; }
.over { color: #8a4a12; }
.nowrap { white-space: nowrap; }
.badge { display: inline-block; border: 0.6pt solid #777; border-radius: 2pt; padding: 0 1mm; font-size: 0.85em; white-space: nowrap; }
.item-finding { border: 0.6pt solid #bbb; border-left: 2.2pt solid #8a9bb0; padding: 1.5mm 2.5mm; margin: 0 0 3mm; }
.item-finding .head { display: flex; justify-content: space-between; gap: 4mm; font-weight: 600; }
.item-finding table { font-size: 0.9em; margin-bottom: 1mm; }
.item-finding .review { color: #333; }
figure.chart { margin: 2mm 0 4mm; }
figure.chart svg { width: 100%; height: auto; display: block; font-family: inherit; }
figure.chart figcaption { font-size: 0.85em; color: #555; margin-top: 1mm; }
.empty { border: 0.6pt solid #999; padding: 3mm; margin: 4mm 0; font-weight: 600; }
"#;
