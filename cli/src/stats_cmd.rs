//! `a15emu stats FILE.json [--plot FILE.png|FILE.svg]`: renders a saved Hyp statistics
//! report (`--hyp-stats-json`) again, and draws the traps by class over machine time
//! (the report's 100 ms buckets).

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use crate::hyp_report::Report;

#[derive(clap::Args)]
pub struct StatsArgs {
    /// A report written by `a15emu run --hyp-stats-json FILE`.
    pub report: PathBuf,
    /// Draw traps per 100 ms by class over machine time to FILE (.png or .svg).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// Rows of the sub-class and PC sections.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
}

/// Reads a report file.
pub fn load(path: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Report::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run(args: StatsArgs) -> Result<i32, String> {
    let report = load(&args.report)?;
    if let Some(p) = &args.plot {
        plot(&report, p)?;
    }
    print!("{}", report.table(args.top));
    Ok(0)
}

/// Classes drawn one by one; the rest are summed as "other".
const PLOTTED_CLASSES: usize = 8;

/// One series per class: (name, traps per bucket).
fn series(r: &Report) -> Vec<(String, Vec<u32>)> {
    let mut out: Vec<(String, Vec<u32>)> = r
        .classes
        .iter()
        .take(PLOTTED_CLASSES)
        .map(|c| {
            let v = r
                .buckets
                .iter()
                .map(|b| b.get(&c.key).copied().unwrap_or(0))
                .collect();
            (c.name.clone(), v)
        })
        .collect();
    if r.classes.len() > PLOTTED_CLASSES {
        let shown: Vec<&str> = r.classes[..PLOTTED_CLASSES]
            .iter()
            .map(|c| c.key.as_str())
            .collect();
        let v = r
            .buckets
            .iter()
            .map(|b| {
                b.iter()
                    .filter(|(k, _)| !shown.contains(&k.as_str()))
                    .map(|(_, n)| *n)
                    .fold(0u32, u32::saturating_add)
            })
            .collect();
        out.push(("other".to_string(), v));
    }
    out
}

/// Candidate TrueType fonts for the chart's text (`A15EMU_FONT` first).
const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
];

/// Registers a font as "sans-serif" for plotters' ab_glyph text (once per process).
fn register_font() -> Result<(), String> {
    static DONE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        let env = std::env::var("A15EMU_FONT").ok();
        let candidates = env.iter().map(String::as_str).chain(FONT_PATHS.iter().copied());
        for p in candidates {
            if let Ok(bytes) = std::fs::read(p) {
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
                    .is_ok()
                {
                    return Ok(());
                }
            }
        }
        Err("no TrueType font for the plot's text: install fonts-dejavu-core or set A15EMU_FONT to a .ttf file".to_string())
    })
    .clone()
}

/// Draws the report's trap rate by class to `path` (PNG or SVG by its extension).
pub fn plot(r: &Report, path: &Path) -> Result<(), String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    register_font()?;
    let err = |e: String| format!("cannot draw {}: {e}", path.display());
    match ext.as_deref() {
        Some("png") => {
            let root = BitMapBackend::new(path, (1200, 700)).into_drawing_area();
            draw(r, &root).map_err(err)?;
            root.present().map_err(|e| err(e.to_string()))
        }
        Some("svg") => {
            let root = SVGBackend::new(path, (1200, 700)).into_drawing_area();
            draw(r, &root).map_err(err)?;
            root.present().map_err(|e| err(e.to_string()))
        }
        _ => Err(format!(
            "{}: the plot file must end in .png or .svg",
            path.display()
        )),
    }
}

fn draw<DB: DrawingBackend>(
    r: &Report,
    root: &DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let e = |x: DrawingAreaErrorKind<DB::ErrorType>| x.to_string();
    root.fill(&WHITE).map_err(e)?;
    let series = series(r);
    let bucket_s = r.bucket_ns.max(1) as f64 / 1e9;
    let n = r.buckets.len().max(1);
    let x_max = n as f64 * bucket_s;
    let y_max = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64
        * 1.1;
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!(
                "Traps to Hyp mode by class per {} ms ({} traps)",
                r.bucket_ns / 1_000_000,
                r.traps
            ),
            ("sans-serif", 24),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(0f64..x_max, 0f64..y_max)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(format!("machine time (s, {} clock)", r.clock))
        .y_desc(format!("traps per {} ms", r.bucket_ns / 1_000_000))
        .label_style(("sans-serif", 14))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()
        .map_err(e)?;
    for (i, (name, v)) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        // Steps: each bucket's count held over its 100 ms (visible with one bucket too).
        let points = v.iter().enumerate().flat_map(|(k, &c)| {
            [
                (k as f64 * bucket_s, c as f64),
                ((k + 1) as f64 * bucket_s, c as f64),
            ]
        });
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))
            .map_err(e)?
            .label(name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(e)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hyp_report::ClassRow;
    use std::collections::BTreeMap;

    fn report(classes: usize) -> Report {
        let mut r = Report {
            format: crate::hyp_report::FORMAT.into(),
            version: crate::hyp_report::VERSION,
            clock: "instructions".into(),
            machine_time_ns: 300_000_000,
            wall_time_ns: 100_000_000,
            instructions: 1000,
            hyp_instructions: 100,
            guest_instructions: 900,
            traps: 0,
            entries: 0,
            untracked: 0,
            classes: vec![],
            contexts: vec![],
            subclasses: vec![],
            top_pcs: vec![],
            bucket_ns: 100_000_000,
            buckets: vec![BTreeMap::new(); 3],
        };
        for i in 0..classes {
            let key = format!("c{i}");
            r.classes.push(ClassRow {
                key: key.clone(),
                name: format!("class {i}"),
                count: 10 - i as u64,
                hyp_instructions: 0,
            });
            r.buckets[1].insert(key, 10 - i as u32);
            r.traps += 10 - i as u64;
        }
        r
    }

    #[test]
    fn series_per_class_and_other() {
        let s = series(&report(10));
        assert_eq!(s.len(), PLOTTED_CLASSES + 1);
        assert_eq!(s[0], ("class 0".to_string(), vec![0, 10, 0]));
        // Classes 8 and 9 (2 + 1 traps) summed.
        assert_eq!(s[8], ("other".to_string(), vec![0, 3, 0]));
        assert_eq!(series(&report(2)).len(), 2);
    }

    #[test]
    fn plots_png_and_svg() {
        // The project's machines have fonts-dejavu-core (A15EMU_FONT names another).
        register_font().unwrap();
        let dir = std::env::temp_dir().join(format!("a15emu-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let r = report(10);
        let png = dir.join("t.png");
        plot(&r, &png).unwrap();
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        let svg = dir.join("t.svg");
        plot(&r, &svg).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(
            text.contains("<svg") && text.contains("class 0"),
            "{}",
            &text[..200.min(text.len())]
        );
        let e = plot(&r, &dir.join("t.jpg")).unwrap_err();
        assert!(e.contains("must end in .png or .svg"), "{e}");
        // An empty report still draws (axes only).
        plot(&report(0), &png).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
