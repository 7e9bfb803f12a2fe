//! Charts drawn on the server as SVG: columns, horizontal bars, stacked bars and lines. Each is
//! a figure with a title and a description for screen readers (`role="img"`) and the same
//! figures as a table below it; colours come from the stylesheet (the CSP allows no inline
//! styles), so they follow the light and dark themes.

use maud::{Markup, html};

const WIDTH: f64 = 720.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;

/// A round step for an axis up to `max` with about five ticks.
fn tick_step(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * magnitude)
        .find(|step| *step >= raw);
    step.unwrap_or(10.0 * magnitude).max(if max < 5.0 { 1.0 } else { 0.0 })
}

fn number(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{}", value.round() as i64)
    } else {
        format!("{value:.1}")
    }
}

fn frame(
    id: &str,
    title: &str,
    description: &str,
    height: f64,
    body: Markup,
    table: Markup,
) -> Markup {
    html! {
        figure.chart aria-labelledby=(format!("{id}-caption")) {
            figcaption #(format!("{id}-caption")) { (title) }
            svg viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-labelledby=(format!("{id}-title {id}-desc")) {
                title #(format!("{id}-title")) { (title) }
                desc #(format!("{id}-desc")) { (description) }
                (body)
            }
            details.chart-table {
                summary { "The figures as a table" }
                (table)
            }
        }
    }
}

/// The y axis with its grid lines, for values from 0 to `max` over `height` pixels of plot.
fn y_axis(max: f64, plot_height: f64, unit: &str) -> (f64, Markup) {
    let step = tick_step(max);
    let top = (max / step).ceil().max(1.0) * step;
    let ticks = (top / step).round() as usize;
    let axis = html! {
        @for tick in 0..=ticks {
            @let value = step * tick as f64;
            @let y = TOP + plot_height - value / top * plot_height;
            line.grid x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y) y2=(y) {}
            text.tick x=(LEFT - 6.0) y=(y + 4.0) text-anchor="end" { (number(value)) (unit) }
        }
    };
    (top, axis)
}

/// One column per label, for counts over days, hours or attempts.
pub struct Columns<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: String,
    pub label_header: &'a str,
    pub value_header: &'a str,
    pub bars: Vec<(String, f64)>,
    /// A column before which a line is drawn, with its label (a deadline).
    pub marker: Option<(usize, &'a str)>,
}

pub fn columns(chart: &Columns<'_>) -> Markup {
    let plot_height = 180.0;
    let height = TOP + plot_height + 36.0;
    let max = chart.bars.iter().map(|(_, value)| *value).fold(0.0, f64::max);
    let (top, axis) = y_axis(max, plot_height, "");
    let count = chart.bars.len().max(1);
    let slot = (WIDTH - LEFT - RIGHT) / count as f64;
    // Labels that would overlap are thinned out; the table has them all.
    let label_every = ((count as f64 * 42.0 / (WIDTH - LEFT - RIGHT)).ceil() as usize).max(1);
    let body = html! {
        (axis)
        @for (at, (label, value)) in chart.bars.iter().enumerate() {
            @let bar_height = value / top * plot_height;
            @let x = LEFT + slot * at as f64;
            rect.bar x=(x + slot * 0.1) y=(TOP + plot_height - bar_height) width=(slot * 0.8) height=(bar_height) {
                title { (label) ": " (number(*value)) }
            }
            @if at % label_every == 0 {
                text.tick x=(x + slot / 2.0) y=(TOP + plot_height + 14.0) text-anchor="middle" { (label) }
            }
        }
        @if let Some((at, label)) = chart.marker {
            @let x = LEFT + slot * at as f64;
            line.marker x1=(x) x2=(x) y1=(TOP) y2=(TOP + plot_height) {}
            text.marker-label x=(x + 4.0) y=(TOP + 10.0) { (label) }
        }
        line.axis x1=(LEFT) x2=(WIDTH - RIGHT) y1=(TOP + plot_height) y2=(TOP + plot_height) {}
    };
    let table = html! {
        table.data {
            thead { tr { th scope="col" { (chart.label_header) } th scope="col" { (chart.value_header) } } }
            tbody { @for (label, value) in &chart.bars { tr { th scope="row" { (label) } td { (number(*value)) } } } }
        }
    };
    frame(chart.id, chart.title, &chart.description, height, body, table)
}

/// One horizontal bar per row, 0 to 100 %, with the figure behind it as text.
pub struct Shares<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: String,
    pub label_header: &'a str,
    /// Label, share in percent, and what it is made of ("12 of 30").
    pub rows: Vec<(String, f64, String)>,
}

const LABEL_WIDTH: f64 = 180.0;

fn short(label: &str) -> String {
    if label.chars().count() > 26 {
        format!("{}…", label.chars().take(25).collect::<String>())
    } else {
        label.to_owned()
    }
}

pub fn shares(chart: &Shares<'_>) -> Markup {
    let row_height = 22.0;
    let height = TOP + row_height * chart.rows.len().max(1) as f64 + 8.0;
    let span = WIDTH - LABEL_WIDTH - RIGHT - 90.0;
    let body = html! {
        @for (at, (label, share, detail)) in chart.rows.iter().enumerate() {
            @let y = TOP + row_height * at as f64;
            text.tick x=(LABEL_WIDTH - 6.0) y=(y + 14.0) text-anchor="end" { (short(label)) }
            rect.track x=(LABEL_WIDTH) y=(y + 3.0) width=(span) height=(row_height - 6.0) {}
            rect.bar x=(LABEL_WIDTH) y=(y + 3.0) width=(span * share.clamp(0.0, 100.0) / 100.0) height=(row_height - 6.0) {
                title { (label) ": " (number(*share)) " % (" (detail) ")" }
            }
            text.tick x=(LABEL_WIDTH + span + 6.0) y=(y + 14.0) { (number(*share)) " %" }
        }
    };
    let table = html! {
        table.data {
            thead { tr { th scope="col" { (chart.label_header) } th scope="col" { "Share" } th scope="col" { "Of" } } }
            tbody { @for (label, share, detail) in &chart.rows { tr { th scope="row" { (label) } td { (number(*share)) " %" } td { (detail) } } } }
        }
    };
    frame(chart.id, chart.title, &chart.description, height, body, table)
}

/// One stacked bar per row: the parts of a whole, each series with its own colour class.
pub struct Stacked<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: String,
    pub label_header: &'a str,
    /// Series names and their CSS classes.
    pub series: Vec<(&'a str, &'a str)>,
    pub rows: Vec<(String, Vec<i64>)>,
}

/// Where each legend entry starts: one after the other, as wide as its name (11 px text is
/// about 6.5 px a character).
fn legend_positions(series: &[(&str, &str)]) -> Vec<f64> {
    let mut x = LEFT;
    series
        .iter()
        .map(|(name, _)| {
            let at = x;
            x += 14.0 + 6.5 * name.chars().count() as f64 + 16.0;
            at
        })
        .collect()
}

/// Where each part of a stacked bar starts and how wide it is.
fn segments(parts: &[i64], span: f64) -> Vec<(f64, f64)> {
    let total = parts.iter().sum::<i64>().max(1) as f64;
    let mut x = LABEL_WIDTH;
    parts
        .iter()
        .map(|part| {
            let width = span * *part as f64 / total;
            let at = x;
            x += width;
            (at, width)
        })
        .collect()
}

pub fn stacked(chart: &Stacked<'_>) -> Markup {
    let row_height = 22.0;
    let legend_height = 24.0;
    let height = TOP + legend_height + row_height * chart.rows.len().max(1) as f64 + 8.0;
    let span = WIDTH - LABEL_WIDTH - RIGHT;
    let body = html! {
        @for ((name, class), x) in chart.series.iter().zip(legend_positions(&chart.series)) {
            rect class=(format!("swatch {class}")) x=(x) y=(TOP) width="10" height="10" {}
            text.tick x=(x + 14.0) y=(TOP + 9.0) { (name) }
        }
        @for (at, (label, parts)) in chart.rows.iter().enumerate() {
            @let y = TOP + legend_height + row_height * at as f64;
            text.tick x=(LABEL_WIDTH - 6.0) y=(y + 14.0) text-anchor="end" { (short(label)) }
            @for ((part, (x, width)), (name, class)) in parts.iter().zip(segments(parts, span)).zip(&chart.series) {
                @if *part > 0 {
                    rect class=(*class) x=(x) y=(y + 3.0) width=(width) height=(row_height - 6.0) {
                        title { (label) ", " (name) ": " (part) }
                    }
                }
            }
        }
    };
    let table = html! {
        table.data {
            thead { tr {
                th scope="col" { (chart.label_header) }
                @for (name, _) in &chart.series { th scope="col" { (name) } }
            } }
            tbody { @for (label, parts) in &chart.rows { tr { th scope="row" { (label) } @for part in parts { td { (part) } } } } }
        }
    };
    frame(chart.id, chart.title, &chart.description, height, body, table)
}

/// Lines over labelled points (days), each series with its colour class.
pub struct Lines<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: String,
    pub label_header: &'a str,
    pub unit: &'a str,
    pub labels: Vec<String>,
    pub series: Vec<(&'a str, &'a str, Vec<f64>)>,
}

pub fn lines(chart: &Lines<'_>) -> Markup {
    let plot_height = 160.0;
    let height = TOP + plot_height + 52.0;
    let max =
        chart.series.iter().flat_map(|(_, _, values)| values.iter().copied()).fold(0.0, f64::max);
    let (top, axis) = y_axis(max, plot_height, chart.unit);
    let count = chart.labels.len();
    let step = if count > 1 { (WIDTH - LEFT - RIGHT) / (count - 1) as f64 } else { 0.0 };
    let x_of =
        |at: usize| LEFT + if count > 1 { step * at as f64 } else { (WIDTH - LEFT - RIGHT) / 2.0 };
    let y_of = |value: f64| TOP + plot_height - value / top * plot_height;
    let label_every = ((count as f64 * 60.0 / (WIDTH - LEFT - RIGHT)).ceil() as usize).max(1);
    let body = html! {
        (axis)
        @for (_, class, values) in &chart.series {
            @let points = values.iter().enumerate().map(|(at, value)| format!("{:.1},{:.1}", x_of(at), y_of(*value))).collect::<Vec<_>>().join(" ");
            polyline class=(format!("line {class}")) points=(points) {}
            @for (at, value) in values.iter().enumerate() {
                circle class=(format!("point {class}")) cx=(x_of(at)) cy=(y_of(*value)) r="2.5" {}
            }
        }
        @for (at, label) in chart.labels.iter().enumerate() {
            @if at % label_every == 0 {
                text.tick x=(x_of(at)) y=(TOP + plot_height + 14.0) text-anchor="middle" { (label) }
            }
        }
        @for (at, (name, class, _)) in chart.series.iter().enumerate() {
            @let x = LEFT + at as f64 * 180.0;
            rect class=(format!("swatch {class}")) x=(x) y=(TOP + plot_height + 28.0) width="10" height="10" {}
            text.tick x=(x + 14.0) y=(TOP + plot_height + 37.0) { (name) }
        }
        line.axis x1=(LEFT) x2=(WIDTH - RIGHT) y1=(TOP + plot_height) y2=(TOP + plot_height) {}
    };
    let table = html! {
        table.data {
            thead { tr { th scope="col" { (chart.label_header) } @for (name, _, _) in &chart.series { th scope="col" { (name) } } } }
            tbody {
                @for (at, label) in chart.labels.iter().enumerate() {
                    tr {
                        th scope="row" { (label) }
                        @for (_, _, values) in &chart.series { td { (values.get(at).map(|v| number(*v)).unwrap_or_default()) (chart.unit) } }
                    }
                }
            }
        }
    };
    frame(chart.id, chart.title, &chart.description, height, body, table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(tick_step(100.0), 20.0);
        assert_eq!(tick_step(7.0), 2.0);
        assert_eq!(tick_step(1234.0), 500.0);
        assert_eq!(tick_step(0.0), 1.0);
        assert_eq!(tick_step(3.0), 1.0);
    }

    #[test]
    fn a_chart_names_itself_for_screen_readers_and_carries_its_table() {
        let chart = Columns {
            id: "per-day",
            title: "Solutions per day",
            description: "Most on 2 December: 40.".into(),
            label_header: "Day",
            value_header: "Solutions",
            bars: vec![("1 Dec".into(), 10.0), ("2 Dec".into(), 40.0)],
            marker: Some((1, "deadline")),
        };
        let html = columns(&chart).into_string();
        assert!(
            html.contains(r#"role="img" aria-labelledby="per-day-title per-day-desc""#),
            "{html}"
        );
        assert!(html.contains("<desc id=\"per-day-desc\">Most on 2 December: 40.</desc>"));
        assert!(html.contains("<th scope=\"row\">2 Dec</th><td>40</td>"));
        assert_eq!(html.matches("<rect class=\"bar\"").count(), 2);
        assert!(!html.contains("style="), "the CSP allows no inline styles");
    }

    #[test]
    fn stacked_bars_fill_the_row_in_proportion() {
        let chart = Stacked {
            id: "mix",
            title: "Verdicts",
            description: String::new(),
            label_header: "Task",
            series: vec![("passed", "v-passed"), ("failed", "v-failed")],
            rows: vec![("A <task>".into(), vec![3, 1])],
        };
        let html = stacked(&chart).into_string();
        assert!(html.contains("A &lt;task&gt;"));
        let span = WIDTH - LABEL_WIDTH - RIGHT;
        assert!(html.contains(&format!("width=\"{}\"", span * 0.75)), "{html}");
    }
}
