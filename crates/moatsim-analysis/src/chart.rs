//! Charts as inline SVG (plotters' SVG backend, no fonts or files needed):
//! one line per scenario with a shaded band between the seeds' 10th and
//! 90th percentiles.

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

/// Draws `lines` (each scaled by `scale`) as an SVG document; with `bands`,
/// each line's 10–90% band is shaded where it has more than one run.
pub fn svg(
    title: &str,
    y_label: &str,
    scale: f64,
    lines: &[Line],
    bands: bool,
) -> Result<String, String> {
    svg_over("year", title, y_label, scale, lines, bands)
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
    let points = |values: &[f64], time: &[f64]| -> Vec<(f64, f64)> {
        time.iter()
            .zip(values)
            .map(|(t, v)| (*t, v * scale))
            .collect()
    };
    let all_values = lines
        .iter()
        .flat_map(|l| l.band.p10.iter().chain(&l.band.p90).chain(&l.band.median))
        .map(|v| v * scale)
        .filter(|v| v.is_finite());
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
    let pad = ((high - low) * 0.05).max(high.abs().max(1e-9) * 1e-3);
    let (low, high) = (low - pad, high + pad);
    let end = if end > start { end } else { start + 0.25 };
    let calendar = x_label == "year";

    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .caption(plain(title), ("sans-serif", 17))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(start..end, low..high)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(plain(x_label))
            .y_desc(plain(y_label))
            .x_labels(8)
            .y_labels(6)
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
        for (i, line) in lines.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let band = &line.band;
            if bands && band.runs > 1 {
                let mut outline = points(&band.p90, &band.time);
                outline.extend(points(&band.p10, &band.time).into_iter().rev());
                chart
                    .draw_series(std::iter::once(Polygon::new(outline, colour.mix(0.18))))
                    .map_err(|e| e.to_string())?;
            }
            chart
                .draw_series(LineSeries::new(
                    points(&band.median, &band.time),
                    colour.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(plain(&line.label))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(out)
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
        for text in [
            "Power price",
            "USD/MWh",
            "year",
            "baseline",
            "power-crunch",
            "2026",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        // Two bands and two median lines.
        assert_eq!(svg.matches("<polygon").count(), 2, "bands");
        assert!(svg.matches("<polyline").count() >= 2, "lines");
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
