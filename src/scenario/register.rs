//! The assumptions register: every assumption of a scenario in one table, with its distribution in
//! words, mean, p5, p95, unit and source. `crossroads check` prints it; report.html shows it.

use serde::Serialize;

use super::distribution::Distribution;
use super::schema::{About, BargainingModel, Operation, Quantity, Scenario, Trigger};

/// One row of the assumptions register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegisterEntry {
    /// "driver", "variable", "event", "actor", "issue", "population", "outcome", "evidence" or
    /// "correlation".
    pub kind: &'static str,
    /// The assumption's name in the scenario file.
    pub name: String,
    /// The distribution or rule in words, e.g. "beta(α=8, β=3)".
    pub distribution: String,
    /// Mean, where the assumption is a number.
    pub mean: Option<f64>,
    /// 5th percentile, where the assumption is a number.
    pub p5: Option<f64>,
    /// 95th percentile, where the assumption is a number.
    pub p95: Option<f64>,
    /// The assumption's unit, as written in the file.
    pub unit: Option<String>,
    /// Who says so, as written in the file.
    pub source: Option<String>,
    /// What the assumption is (for outcomes without a description: their title).
    pub description: Option<String>,
}

/// The assumptions register of a scenario: drivers, variables, events, actors, issues,
/// populations, outcomes and correlations (`"a ~ b"`), each in file order.
pub fn register(scenario: &Scenario) -> Vec<RegisterEntry> {
    let mut entries = Vec::new();
    let row = |kind: &'static str, name: &str, distribution: String, about: &About| RegisterEntry {
        kind,
        name: name.to_string(),
        distribution,
        mean: None,
        p5: None,
        p95: None,
        unit: about.unit.clone(),
        source: about.source.clone(),
        description: about.description.clone(),
    };
    for driver in &scenario.drivers {
        let mut entry = row("driver", &driver.name, describe(&driver.distribution), &driver.about);
        set_moments(&mut entry, &driver.distribution);
        entries.push(entry);
    }
    for variable in &scenario.variables {
        let mut words = format!("starts {}", describe(&variable.initial));
        if variable.speed > 0.0 {
            words.push_str(&format!(
                ", drifts to {} at {}/month",
                number(variable.target),
                percent(variable.speed)
            ));
        }
        if variable.noise > 0.0 {
            words.push_str(&format!(", noise sd {}", number(variable.noise)));
        }
        if variable.min.is_finite() || variable.max.is_finite() {
            words.push_str(&format!(", in [{}, {}]", number(variable.min), number(variable.max)));
        }
        words.push_str(&links(variable.links.len()));
        let mut entry = row("variable", &variable.name, words, &variable.about);
        set_moments(&mut entry, &variable.initial);
        entries.push(entry);
    }
    for event in &scenario.events {
        let mut words = match &event.trigger {
            Trigger::Hazard { probability, links: l } => {
                format!("hazard {}/month{}", percent(*probability), links(l.len()))
            }
            Trigger::AtDriver(driver) => format!("in month `{driver}`"),
            Trigger::AtMonth(month) => format!("in month {month}"),
        };
        if event.duration > 1 {
            words.push_str(&format!(", lasts {} months", event.duration));
        }
        if event.once {
            words.push_str(", once");
        }
        if !event.effects.is_empty() {
            let effects: Vec<String> = event
                .effects
                .iter()
                .map(|e| match e.operation {
                    Operation::Set(v) => format!("{} = {}", e.variable, number(v)),
                    Operation::Add(v) => format!("{} += {}", e.variable, number(v)),
                    Operation::Mul(v) => format!("{} ×= {}", e.variable, number(v)),
                })
                .collect();
            words.push_str(&format!("; {}", effects.join(", ")));
        }
        entries.push(row("event", &event.name, words, &event.about));
    }
    for actor in &scenario.actors {
        let mut entry =
            row("actor", &actor.name, format!("capability {}", quantity(&actor.capability)), &actor.about);
        if let Quantity::Drawn(d) = &actor.capability {
            set_moments(&mut entry, d);
        }
        entries.push(entry);
    }
    for issue in &scenario.issues {
        let model = match issue.model {
            BargainingModel::Bdm => "bdm".to_string(),
            BargainingModel::Compromise { concession } => {
                format!("compromise (concession {})", number(concession))
            }
        };
        let every = if issue.every == 1 {
            "every month".to_string()
        } else {
            format!("every {} months", issue.every)
        };
        let mut words = format!(
            "{model} {every}, scale {}–{}, {} stakes",
            number(issue.scale.0),
            number(issue.scale.1),
            issue.stakes.len()
        );
        if let Some(agreement) = &issue.agreement {
            words.push_str(&format!(
                "; agreement of {} within {} at {}/month{}",
                agreement.parties.join(" and "),
                number(agreement.within),
                percent(agreement.probability),
                links(agreement.links.len())
            ));
        }
        entries.push(row("issue", &issue.name, words, &issue.about));
    }
    for population in &scenario.populations {
        let mut words = format!(
            "{} persons in {} agents ({} at home); threshold {}",
            describe(&population.persons),
            population.agents,
            population.at_home,
            describe(&population.threshold)
        );
        words.push_str(&links(population.links.len()));
        if let Some(flee) = &population.flee {
            words.push_str(&format!("; flees on `{}` with p {}", flee.on, number(flee.probability)));
        }
        let mut entry = row("population", &population.name, words, &population.about);
        set_moments(&mut entry, &population.persons);
        entries.push(entry);
    }
    for outcome in &scenario.outcomes {
        let mut words = format!("{}", outcome.measure);
        match outcome.at {
            Some(at) => words.push_str(&format!(" at {}", scenario.meta.start.plus(at))),
            None => words.push_str(" at the horizon"),
        }
        if outcome.is_probability() {
            words.push_str(" (probability)");
        }
        if outcome.series {
            words.push_str(", monthly series");
        }
        let mut entry = row("outcome", &outcome.name, words, &outcome.about);
        if entry.description.is_none() && outcome.title != outcome.name {
            entry.description = Some(outcome.title.clone());
        }
        entries.push(entry);
    }
    let correlations = &scenario.correlations;
    for pair in &correlations.pairs {
        let used = correlations.get(&pair.first, &pair.second);
        let mut words = format!("Spearman ρ {}", crate::format::signed_rho(pair.spearman));
        if pair.spearman == 0.0 {
            words.push_str(" (independent)");
        } else if correlations.repaired.is_some() && used != pair.spearman {
            words.push_str(&format!(", repaired to {}", crate::format::signed_rho(used)));
        }
        let name = format!("{} ~ {}", pair.first, pair.second);
        entries.push(row("correlation", &name, words, &pair.about));
    }
    for item in &scenario.evidence {
        let mut words = format!("{}", item.observe);
        match item.observation {
            super::schema::Observation::Equals(k) => words.push_str(&format!(" = {}", number(k))),
            super::schema::Observation::Normal { value, sd } => {
                words.push_str(&format!(" ≈ {} ± {} (normal)", number(value), number(sd)))
            }
        }
        match item.at {
            Some(at) => words.push_str(&format!(" at {}", scenario.meta.start.plus(at))),
            None => words.push_str(" at the horizon"),
        }
        entries.push(row("evidence", &item.name, words, &item.about));
    }
    entries
}

/// The rank-correlation matrix the runs use, as a text table (Spearman, the copula's drivers in
/// order of first appearance), the construction the copula uses and what it guarantees, and what a
/// repair changed; empty without `[correlations]` pairs.
pub fn render_correlations(correlations: &super::schema::Correlations) -> String {
    let drivers = &correlations.drivers;
    if drivers.is_empty() {
        return String::new();
    }
    let size = drivers.len();
    let width = drivers.iter().map(|d| d.chars().count()).max().unwrap_or(0);
    let mut out = String::from("rank correlations (Spearman) the runs use:\n");
    for (i, name) in drivers.iter().enumerate() {
        out.push_str(&format!("  {:>2} {name:<width$} ", i + 1));
        for j in 0..size {
            let value = correlations.matrix.get(i * size + j).copied().unwrap_or(0.0);
            let cell = match (i == j, value == 0.0) {
                (true, _) => "1".to_string(),
                (false, true) => "0".to_string(),
                (false, false) => crate::format::signed_rho(value),
            };
            out.push_str(&format!(" {cell:>6}"));
        }
        out.push('\n');
    }
    let construction = super::correlation::Construction::of(&correlations.matrix, size);
    out.push_str(&format!("  construction: {}\n", construction.sentence(drivers)));
    if let Some(repair) = &correlations.repaired {
        out.push_str(&format!(
            "  repaired (repair = true): the stated matrix is not positive definite; this is the nearest \
             valid one (Higham 2002), Frobenius distance {} from the stated\n",
            crate::format::fixed(repair.distance, 3)
        ));
        for i in 0..size {
            for j in 0..i {
                let (stated, used) = (
                    repair.stated.get(i * size + j).copied().unwrap_or(0.0),
                    correlations.matrix.get(i * size + j).copied().unwrap_or(0.0),
                );
                if (stated - used).abs() >= 0.0005 {
                    let (a, b) = (
                        drivers.get(j).map_or("", String::as_str),
                        drivers.get(i).map_or("", String::as_str),
                    );
                    out.push_str(&format!(
                        "    {a} ~ {b}: stated {}, used {}\n",
                        crate::format::fixed(stated, 3),
                        crate::format::fixed(used, 3)
                    ));
                }
            }
        }
    }
    out
}

fn links(count: usize) -> String {
    match count {
        0 => String::new(),
        1 => ", 1 link".to_string(),
        n => format!(", {n} links"),
    }
}

fn set_moments(entry: &mut RegisterEntry, d: &Distribution) {
    entry.mean = d.mean();
    if !matches!(d, Distribution::Categorical(_)) {
        entry.p5 = Some(d.quantile(0.05));
        entry.p95 = Some(d.quantile(0.95));
    }
}

fn quantity(q: &Quantity) -> String {
    match q {
        Quantity::Drawn(d) => describe(d),
        Quantity::Variable(name) => format!("variable `{name}`"),
    }
}

/// A distribution in words, e.g. "beta(α=8, β=3)", "triangular 6–96, mode 30",
/// "categorical: frozen 45%, settlement 35%".
pub fn describe(d: &Distribution) -> String {
    match d {
        Distribution::Fixed(v) => number(*v),
        Distribution::Uniform { min, max } => format!("uniform {}–{}", number(*min), number(*max)),
        Distribution::Normal { mean, sd, min, max } => {
            let mut text = format!("normal(mean={}, sd={})", number(*mean), number(*sd));
            if min.is_finite() || max.is_finite() {
                text.push_str(&format!(" in [{}, {}]", number(*min), number(*max)));
            }
            text
        }
        Distribution::LogNormal { mu, sigma } => {
            format!("lognormal(μ={}, σ={})", number(*mu), number(*sigma))
        }
        Distribution::Beta { alpha, beta } => format!("beta(α={}, β={})", number(*alpha), number(*beta)),
        Distribution::Triangular { min, mode, max } => {
            format!("triangular {}–{}, mode {}", number(*min), number(*max), number(*mode))
        }
        Distribution::Pert { min, mode, max } => {
            format!("PERT {}–{}, mode {}", number(*min), number(*max), number(*mode))
        }
        Distribution::Bernoulli(p) => format!("bernoulli(p={})", number(*p)),
        Distribution::Categorical(outcomes) => {
            let parts: Vec<String> =
                outcomes.iter().map(|(name, p)| format!("{name} {}", percent(*p))).collect();
            format!("categorical: {}", parts.join(", "))
        }
        Distribution::Poisson { mean } => format!("poisson(mean={})", number(*mean)),
    }
}

/// A number for the register: whole numbers plainly, others to 4 significant digits.
pub fn number(x: f64) -> String {
    crate::format::significant(x, 4)
}

/// A share as a percentage: "45%", "12.5%", "0.3%".
pub fn percent(p: f64) -> String {
    format!("{}%", number(p * 100.0))
}

/// The register as a plain-text table: kind, name, distribution in words, mean, p5, p95, unit and
/// source, one row per assumption; distributions wrap at 60 characters and sources at 50.
pub fn render_register(entries: &[RegisterEntry]) -> String {
    render_table(entries, DISTRIBUTION_WIDTH, SOURCE_WIDTH)
}

/// The register as [`render_register`] does, fitted to `width` columns (what `crossroads check`
/// prints): the distribution and source columns share what the other columns leave, and wrap
/// within it; a terminal too narrow for that gets one block of lines per assumption. `None`: every
/// text on one line.
pub fn render_register_to_width(entries: &[RegisterEntry], width: Option<usize>) -> String {
    let Some(width) = width else {
        return render_table(entries, usize::MAX, usize::MAX);
    };
    let cell = |v: Option<f64>| v.map_or(0, |x| number(x).chars().count());
    let longest = |f: &dyn Fn(&RegisterEntry) -> usize, header: &str| {
        entries.iter().map(f).max().unwrap_or(0).max(header.chars().count())
    };
    // The six narrow columns at their natural widths, and two spaces after each of the eight.
    let fixed = longest(&|e| e.kind.chars().count(), "kind")
        + longest(&|e| e.name.chars().count(), "name")
        + longest(&|e| cell(e.mean), "mean")
        + longest(&|e| cell(e.p5), "p5")
        + longest(&|e| cell(e.p95), "p95")
        + longest(&|e| e.unit.as_deref().map_or(0, |u| u.chars().count()), "unit")
        + 2 * 7;
    let natural_distribution = longest(&|e| e.distribution.chars().count(), "distribution");
    if fixed + MIN_COLUMN + MIN_SOURCE > width {
        return render_stacked(entries, width);
    }
    let left = width.saturating_sub(fixed);
    let distribution = (left * 2 / 5).clamp(MIN_COLUMN, natural_distribution.max(MIN_COLUMN));
    let source = left.saturating_sub(distribution).max(MIN_SOURCE);
    render_table(entries, distribution, source)
}

/// The register for a terminal too narrow for the table: each assumption a block of lines — kind,
/// name and numbers, then its distribution and source wrapped to `width`, indented.
fn render_stacked(entries: &[RegisterEntry], width: usize) -> String {
    let mut out = String::new();
    let indent = "    ";
    let inner = width.saturating_sub(indent.len()).max(MIN_COLUMN);
    for e in entries {
        let mut head = format!("{} {}", e.kind, e.name);
        for (label, value) in [("mean", e.mean), ("p5", e.p5), ("p95", e.p95)] {
            if let Some(value) = value {
                head.push_str(&format!("  {label} {}", number(value)));
            }
        }
        if let Some(unit) = &e.unit {
            head.push_str(&format!("  ({unit})"));
        }
        for line in wrap(&head, width.max(MIN_COLUMN)) {
            out.push_str(&line);
            out.push('\n');
        }
        let source = e.source.as_deref().map(|s| format!("source: {s}"));
        for text in std::iter::once(e.distribution.clone()).chain(source) {
            for line in wrap(&text, inner) {
                out.push_str(indent);
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}

/// The narrowest the source column gets in the table: a citation (`docs/sources.md#…`) is one word,
/// and words are not cut; narrower terminals get the stacked layout.
const MIN_SOURCE: usize = 48;

/// The narrowest a wrapped column gets, however narrow the terminal.
const MIN_COLUMN: usize = 12;

fn render_table(entries: &[RegisterEntry], distribution_width: usize, source_width: usize) -> String {
    let header = ["kind", "name", "distribution", "mean", "p5", "p95", "unit", "source"];
    let cell = |v: Option<f64>| v.map_or(String::new(), number);
    // Each row is one or more lines: long distributions and sources wrap within their column.
    let rows: Vec<Vec<[String; 8]>> = entries
        .iter()
        .map(|e| {
            let words = wrap(&e.distribution, distribution_width);
            let source = wrap(e.source.as_deref().unwrap_or(""), source_width);
            let lines = words.len().max(source.len()).max(1);
            (0..lines)
                .map(|i| {
                    let first = i == 0;
                    let or_blank = |text: String| if first { text } else { String::new() };
                    [
                        or_blank(e.kind.to_string()),
                        or_blank(e.name.clone()),
                        words.get(i).cloned().unwrap_or_default(),
                        or_blank(cell(e.mean)),
                        or_blank(cell(e.p5)),
                        or_blank(cell(e.p95)),
                        or_blank(e.unit.clone().unwrap_or_default()),
                        source.get(i).cloned().unwrap_or_default(),
                    ]
                })
                .collect()
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for line in rows.iter().flatten() {
        for (width, text) in widths.iter_mut().zip(line) {
            *width = (*width).max(text.chars().count());
        }
    }
    let numeric = [false, false, false, true, true, true, false, false];
    let line = |cells: &[String]| -> String {
        let mut out = String::new();
        for (i, text) in cells.iter().enumerate() {
            let width = widths.get(i).copied().unwrap_or(0);
            let pad = " ".repeat(width.saturating_sub(text.chars().count()));
            if numeric.get(i).copied().unwrap_or(false) {
                out.push_str(&pad);
                out.push_str(text);
            } else {
                out.push_str(text);
                out.push_str(&pad);
            }
            out.push_str("  ");
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(&header.map(String::from));
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    out.push_str(&line(&rule));
    for row in &rows {
        for cells in row {
            out.push_str(&line(cells));
        }
    }
    out
}

/// Widest distribution text on one line of the register table, in characters.
const DISTRIBUTION_WIDTH: usize = 60;
/// Widest source text on one line of the register table, in characters.
const SOURCE_WIDTH: usize = 50;

/// Splits text into lines of at most `width` characters at spaces (a longer word stays whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let needed = current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if !current.is_empty() && needed > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_in_words() {
        assert_eq!(describe(&Distribution::Beta { alpha: 8.0, beta: 3.0 }), "beta(α=8, β=3)");
        assert_eq!(
            describe(&Distribution::Triangular { min: 6.0, mode: 30.0, max: 96.0 }),
            "triangular 6–96, mode 30"
        );
        let d = Distribution::Categorical(vec![
            ("frozen".into(), 0.45),
            ("settlement".into(), 0.35),
            ("gains".into(), 0.12),
            ("collapse".into(), 0.08),
        ]);
        assert_eq!(describe(&d), "categorical: frozen 45%, settlement 35%, gains 12%, collapse 8%");
    }

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(number(7.389955686853767), "7.39");
        assert_eq!(number(0.727272), "0.7273");
        assert_eq!(number(100000.0), "100000");
        assert_eq!(number(-0.45), "-0.45");
        assert_eq!(number(1234.5678), "1235");
        assert_eq!(percent(0.125), "12.5%");
    }

    #[test]
    fn long_text_wraps_at_spaces() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("averyveryverylongword x", 5), ["averyveryverylongword", "x"]);
        assert!(wrap("", 5).is_empty());
    }

    #[test]
    fn table_aligns_columns() {
        let entries = vec![RegisterEntry {
            kind: "driver",
            name: "x".into(),
            distribution: "beta(α=8, β=3)".into(),
            mean: Some(8.0 / 11.0),
            p5: Some(0.5),
            p95: Some(0.9),
            unit: Some("0–1".into()),
            source: None,
            description: None,
        }];
        let text = render_register(&entries);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[2].starts_with("driver  x     beta(α=8, β=3)  0.7273  0.5  0.9  0–1"), "{text}");
    }
}
