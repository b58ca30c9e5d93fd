//! Charts as inline SVG (plotters' SVG backend, no fonts or files needed):
//! one line per scenario with a shaded band between the seeds' 10th and
//! 90th percentiles.

use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::series::Band;

/// One line on a chart.
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    pub band: Band,
}

/// Chart size in pixels.
pub const WIDTH: u32 = 720;
pub const HEIGHT: u32 = 330;

/// Line colours, in order; seven are enough for the scenario library and
/// stay distinguishable for common colour-vision deficiencies (Okabe–Ito).
const COLOURS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// How the y axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YAxis {
    Linear,
    /// Logarithmic, for series that span orders of magnitude (price
    /// indices); values at or below zero are left out. Series within one
    /// decade are drawn on a linear axis instead, where a log axis would
    /// label a single tick.
    Log,
}

/// Draws `lines` (each scaled by `scale`) as an SVG document; with `bands`,
/// each line's 10–90% band is shaded where it has more than one run. The
/// legend is not drawn inside the plot, where it would cover data: put
/// [`legend_html`] beside the figure.
pub fn svg(
    title: &str,
    y_label: &str,
    scale: f64,
    lines: &[Line],
    bands: bool,
) -> Result<String, String> {
    svg_over("year", title, y_label, scale, lines, bands)
}

/// As [`svg`], on a chosen y axis.
pub fn svg_on(
    axis: YAxis,
    title: &str,
    y_label: &str,
    scale: f64,
    lines: &[Line],
    bands: bool,
) -> Result<String, String> {
    draw(axis, "year", title, y_label, scale, lines, bands)
}

/// As [`svg`], over another x axis than calendar years (each band's `time`
/// holds the x values; they are labelled as whole numbers).
pub fn svg_over(
    x_label: &str,
    title: &str,
    y_label: &str,
    scale: f64,
    lines: &[Line],
    bands: bool,
) -> Result<String, String> {
    draw(YAxis::Linear, x_label, title, y_label, scale, lines, bands)
}

/// The legend of a chart's lines as HTML, beside the figure rather than over
/// its data: a coloured swatch and the label of each line, in order.
pub fn legend_html(lines: &[Line]) -> String {
    let labels: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
    legend_labels_html(&labels)
}

/// [`legend_html`] for labels coloured in order.
pub fn legend_labels_html(labels: &[&str]) -> String {
    let items: String = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let RGBColor(r, g, b) = COLOURS[i % COLOURS.len()];
            format!(
                "<li><span class=\"swatch\" style=\"background:rgb({r},{g},{b})\"></span>{}</li>",
                plain(label)
            )
        })
        .collect();
    format!("<ul class=\"legend\">{items}</ul>")
}

/// One layer of a stacked bar chart: its label and a value per bar.
#[derive(Debug, Clone)]
pub struct Layer {
    pub label: String,
    pub values: Vec<f64>,
}

/// Bars stacked by layer, one bar per `categories` entry: positive values
/// stack up from zero and negative ones down, so a layer that loses money
/// shows below the axis instead of cancelling another's profit. Coloured in
/// layer order, as [`legend_labels_html`].
pub fn stacked_svg(
    title: &str,
    y_label: &str,
    categories: &[String],
    layers: &[Layer],
) -> Result<String, String> {
    let n = categories.len();
    if n == 0 || layers.is_empty() {
        return Err(format!("{title}: nothing to draw"));
    }
    let value = |layer: &Layer, i: usize| {
        layer
            .values
            .get(i)
            .copied()
            .filter(|v| v.is_finite())
            .unwrap_or(0.0)
    };
    let (mut low, mut high) = (0.0_f64, 0.0_f64);
    for i in 0..n {
        let up: f64 = layers.iter().map(|l| value(l, i).max(0.0)).sum();
        let down: f64 = layers.iter().map(|l| value(l, i).min(0.0)).sum();
        high = high.max(up);
        low = low.min(down);
    }
    let pad = ((high - low) * 0.05).max(1e-9);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(plain(title), ("sans-serif", TITLE_FONT))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(76)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), (low - pad)..(high + pad))
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .y_desc(plain(y_label))
            .x_labels(n)
            .y_labels(6)
            .label_style(("sans-serif", TICK_FONT))
            .axis_desc_style(("sans-serif", AXIS_FONT))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 0.01 && i >= 0.0 {
                    categories.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| compact(*y))
            .disable_x_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| e.to_string())?;
        for i in 0..n {
            let (mut up, mut down) = (0.0, 0.0);
            let x = i as f64;
            for (k, layer) in layers.iter().enumerate() {
                let v = value(layer, i);
                let (from, to) = if v >= 0.0 {
                    up += v;
                    (up - v, up)
                } else {
                    down += v;
                    (down - v, down)
                };
                if v != 0.0 {
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(x - 0.35, from), (x + 0.35, to)],
                            COLOURS[k % COLOURS.len()].filled(),
                        )))
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(-0.5, 0.0), (n as f64 - 0.5, 0.0)],
                BLACK.stroke_width(1),
            )))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Tick labels and axis titles, legible at the report's width (plotters
/// writes about 0.8 of these sizes as px: 18 gives tick labels of 14.5 px).
const TICK_FONT: u32 = 18;
const AXIS_FONT: u32 = 19;
const TITLE_FONT: u32 = 22;

#[allow(
    clippy::too_many_arguments,
    reason = "the chart's text, data and axis choice, passed through from the three public entry points"
)]
fn draw(
    axis: YAxis,
    x_label: &str,
    title: &str,
    y_label: &str,
    scale: f64,
    lines: &[Line],
    bands: bool,
) -> Result<String, String> {
    let keep = |v: f64| v.is_finite() && (axis == YAxis::Linear || v > 0.0);
    let all_values = lines
        .iter()
        .flat_map(|l| l.band.p10.iter().chain(&l.band.p90).chain(&l.band.median))
        .map(|v| v * scale)
        .filter(|v| keep(*v));
    let (low, high) = all_values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let times = lines.iter().flat_map(|l| l.band.time.iter().copied());
    let (start, end) = times.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
        (lo.min(t), hi.max(t))
    });
    if !low.is_finite() || !start.is_finite() {
        return Err(format!("{title}: nothing to draw"));
    }
    let end = if end > start { end } else { start + 0.25 };
    let axis = if axis == YAxis::Log && high < 10.0 * low {
        YAxis::Linear
    } else {
        axis
    };
    let plot = Plot {
        x_label,
        y_label,
        scale,
        lines,
        bands,
        calendar: x_label == "year",
        x: (start, end),
        keep: &keep,
    };
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut builder = ChartBuilder::on(&root);
        builder
            .caption(plain(title), ("sans-serif", TITLE_FONT))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(76);
        match axis {
            YAxis::Linear => {
                let pad = ((high - low) * 0.05).max(high.abs().max(1e-9) * 1e-3);
                let chart = builder
                    .build_cartesian_2d(start..end, (low - pad)..(high + pad))
                    .map_err(|e| e.to_string())?;
                plot.draw(chart)?;
            }
            YAxis::Log => {
                let (low, high) = if high > low {
                    (low, high)
                } else {
                    (low / 2.0, high * 2.0)
                };
                let chart = builder
                    .build_cartesian_2d(start..end, ((low / 1.2)..(high * 1.2)).log_scale())
                    .map_err(|e| e.to_string())?;
                plot.draw(chart)?;
            }
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// What a chart draws, whatever its y axis.
struct Plot<'a> {
    x_label: &'a str,
    y_label: &'a str,
    scale: f64,
    lines: &'a [Line],
    bands: bool,
    calendar: bool,
    x: (f64, f64),
    keep: &'a dyn Fn(f64) -> bool,
}

impl Plot<'_> {
    fn points(&self, values: &[f64], time: &[f64]) -> Vec<(f64, f64)> {
        time.iter()
            .zip(values)
            .map(|(t, v)| (*t, v * self.scale))
            .filter(|(_, v)| (self.keep)(*v))
            .collect()
    }

    fn draw<'b, Y>(
        &self,
        mut chart: ChartContext<'b, SVGBackend<'b>, Cartesian2d<RangedCoordf64, Y>>,
    ) -> Result<(), String>
    where
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let (start, end) = self.x;
        let calendar = self.calendar;
        chart
            .configure_mesh()
            .x_desc(plain(self.x_label))
            .y_desc(plain(self.y_label))
            .x_labels(8)
            .y_labels(6)
            .label_style(("sans-serif", TICK_FONT))
            .axis_desc_style(("sans-serif", AXIS_FONT))
            .x_label_formatter(&|x| {
                // A short run's ticks fall inside one year: name quarters.
                // Ticks between quarters stay unlabelled.
                if calendar && end - start < 3.0 {
                    let year = (x + 1e-6).floor();
                    let quarters = (x - year) * 4.0;
                    if (quarters - quarters.round()).abs() > 0.05 {
                        return String::new();
                    }
                    let quarter = (quarters.round() as i64).clamp(0, 3) + 1;
                    format!("{year:.0}Q{quarter}")
                } else {
                    format!("{x:.0}")
                }
            })
            .y_label_formatter(&|y| compact(*y))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, line) in self.lines.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let band = &line.band;
            if self.bands && band.runs > 1 {
                let mut outline = self.points(&band.p90, &band.time);
                outline.extend(self.points(&band.p10, &band.time).into_iter().rev());
                if !outline.is_empty() {
                    chart
                        .draw_series(std::iter::once(Polygon::new(outline, colour.mix(0.18))))
                        .map_err(|e| e.to_string())?;
                }
            }
            chart
                .draw_series(LineSeries::new(
                    self.points(&band.median, &band.time),
                    colour.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

/// One bar of a bar chart: a label, a value and an optional interval.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub interval: Option<(f64, f64)>,
}

/// Horizontal bars, largest first as given, each labelled above its bar,
/// with its interval drawn as a whisker.
pub fn bars_svg(title: &str, x_label: &str, bars: &[Bar]) -> Result<String, String> {
    let ends = bars.iter().flat_map(|b| {
        let (low, high) = b.interval.unwrap_or((b.value, b.value));
        [b.value, low, high]
    });
    let (low, high) = ends
        .filter(|v| v.is_finite())
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if bars.is_empty() {
        return Err(format!("{title}: nothing to draw"));
    }
    let pad = ((high - low) * 0.05).max(1e-12);
    let rows = bars.len() as f64;
    let height = (90 + 34 * bars.len()) as u32;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(plain(title), ("sans-serif", 17))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(8)
            .build_cartesian_2d((low - pad)..(high + pad), 0.0..rows)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(plain(x_label))
            .x_labels(6)
            .x_label_formatter(&|x| compact(*x))
            .disable_y_mesh()
            .disable_y_axis()
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| e.to_string())?;
        let colour = COLOURS[0];
        for (i, bar) in bars.iter().enumerate() {
            // Top to bottom in the order given.
            let y = rows - 1.0 - i as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.12), (bar.value, y + 0.52)],
                    colour.mix(0.75).filled(),
                )))
                .map_err(|e| e.to_string())?;
            if let Some((lo, hi)) = bar.interval {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(lo, y + 0.32), (hi, y + 0.32)],
                        BLACK.stroke_width(1),
                    )))
                    .map_err(|e| e.to_string())?;
            }
            chart
                .draw_series(std::iter::once(Text::new(
                    plain(&bar.label),
                    (low - pad * 0.5, y + 0.92),
                    ("sans-serif", 13),
                )))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Text safe inside SVG and HTML without escaping.
pub fn plain(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' | '>' | '&' | '"' => '_',
            c => c,
        })
        .collect()
}

/// An axis number in three significant figures with a k/M/B suffix.
pub fn compact(value: f64) -> String {
    let magnitude = value.abs();
    let (scaled, suffix) = if magnitude >= 1e12 {
        (value / 1e12, "T")
    } else if magnitude >= 1e9 {
        (value / 1e9, "B")
    } else if magnitude >= 1e6 {
        (value / 1e6, "M")
    } else if magnitude >= 1e4 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let digits = if scaled.abs() >= 100.0 {
        0
    } else if scaled.abs() >= 10.0 {
        1
    } else if scaled.abs() >= 1.0 || scaled == 0.0 {
        2
    } else {
        3
    };
    format!("{scaled:.digits$}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(runs: usize, offset: f64) -> Band {
        let time: Vec<f64> = (0..8).map(|q| 2025.0 + q as f64 / 4.0).collect();
        let median: Vec<f64> = (0..8).map(|q| q as f64 + offset).collect();
        Band {
            p10: median.iter().map(|m| m - 1.0).collect(),
            p90: median.iter().map(|m| m + 1.0).collect(),
            median,
            time,
            runs,
        }
    }

    #[test]
    fn a_chart_has_its_title_axes_lines_bands_and_legend() {
        let lines = [
            Line {
                label: "baseline".into(),
                band: band(5, 0.0),
            },
            Line {
                label: "power-crunch".into(),
                band: band(5, 3.0),
            },
        ];
        let svg = svg("Power price", "USD/MWh", 1.0, &lines, true).expect("draws");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        for text in ["Power price", "USD/MWh", "year", "2026"] {
            assert!(svg.contains(text), "missing {text}");
        }
        // Two bands and two median lines; the legend is not over the data.
        assert_eq!(svg.matches("<polygon").count(), 2, "bands");
        assert!(svg.matches("<polyline").count() >= 2, "lines");
        assert!(!svg.contains("power-crunch"), "no legend inside the plot");
        let legend = legend_html(&lines);
        assert!(legend.contains("baseline") && legend.contains("power-crunch"));
        assert_eq!(legend.matches("class=\"swatch\"").count(), 2);
    }

    /// Losses stack below the axis, profits above, one bar per category.
    #[test]
    fn stacked_bars_put_losses_below_and_profits_above() {
        let layers = [
            Layer {
                label: "chips".into(),
                values: vec![10.0, 20.0],
            },
            Layer {
                label: "models".into(),
                values: vec![-5.0, 4.0],
            },
        ];
        let svg = stacked_svg(
            "Profit by layer",
            "USD billion",
            &["2025".into(), "2026".into()],
            &layers,
        )
        .expect("draws");
        // Four non-empty bars plus the plot's background rectangle(s).
        assert!(svg.matches("<rect").count() >= 4, "{svg}");
        assert!(svg.contains("2025") && svg.contains("2026"));
        assert!(stacked_svg("x", "y", &[], &layers).is_err());
        let legend = legend_labels_html(&["chips", "models"]);
        assert_eq!(legend.matches("<li>").count(), 2);
    }

    /// A log axis spans orders of magnitude and leaves out what it cannot
    /// draw (values at or below zero) instead of failing.
    #[test]
    fn a_log_axis_draws_what_spans_orders_of_magnitude() {
        let mut falling = band(3, 0.0);
        falling.median = vec![100.0, 10.0, 1.0, 0.1, 0.0, 0.01];
        falling.p10 = falling.median.iter().map(|v| v * 0.8).collect();
        falling.p90 = falling.median.iter().map(|v| v * 1.2).collect();
        falling.time.truncate(6);
        let lines = [Line {
            label: "baseline".into(),
            band: falling,
        }];
        let svg = svg_on(YAxis::Log, "Price", "index", 1.0, &lines, true).expect("draws");
        assert!(svg.matches("<polyline").count() >= 1);
        // Tick labels across the decades.
        let ticks: Vec<&str> = svg.lines().map(str::trim).collect();
        for decade in ["0.010", "1.00", "100"] {
            assert!(ticks.contains(&decade), "tick {decade} missing");
        }
        let all_zero = [Line {
            label: "zero".into(),
            band: Band {
                median: vec![0.0; 4],
                p10: vec![0.0; 4],
                p90: vec![0.0; 4],
                ..band(1, 0.0)
            },
        }];
        assert!(svg_on(YAxis::Log, "x", "y", 1.0, &all_zero, true).is_err());
    }

    #[test]
    fn one_seed_draws_no_band_and_empty_data_is_an_error() {
        let svg = svg(
            "x",
            "y",
            1.0,
            &[Line {
                label: "a".into(),
                band: band(1, 0.0),
            }],
            true,
        )
        .expect("draws");
        assert_eq!(svg.matches("<polygon").count(), 0);
        assert!(super::svg("empty", "y", 1.0, &[], true).is_err());
    }

    #[test]
    fn bars_have_their_labels_and_whiskers() {
        let bars = [
            Bar {
                label: "world.diffusion_rate".into(),
                value: 2.0,
                interval: Some((1.0, 3.0)),
            },
            Bar {
                label: "world.pue".into(),
                value: 0.5,
                interval: None,
            },
        ];
        let svg = bars_svg("capability_lead_half_life_quarters", "mu*", &bars).expect("draws");
        for text in [
            "capability_lead_half_life_quarters",
            "world.diffusion_rate",
            "world.pue",
            "mu*",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        assert!(
            svg.matches("<rect").count() >= 3,
            "a background and two bars"
        );
        assert!(bars_svg("empty", "x", &[]).is_err());
    }

    #[test]
    fn axis_numbers_are_compact() {
        assert_eq!(compact(1_234_567.0), "1.23M");
        assert_eq!(compact(45_600.0), "45.6k");
        assert_eq!(compact(0.0421), "0.042");
        assert_eq!(compact(2.5e11), "250B");
        assert_eq!(plain("a<b>&\"c"), "a_b___c");
    }
}
