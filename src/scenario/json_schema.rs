//! `crossroads schema`: the scenario format as a JSON Schema (Draft 4, the draft Taplo documents),
//! generated from the loader's own key tables ([`super::keys`]) so that editors with Taplo (Even
//! Better TOML in VS Code, `taplo lsp` in Neovim, Helix or Zed) complete keys, show each key's
//! one-line description on hover and underline unknown keys, wrong types and out-of-range values.
//!
//! The schema checks what one file alone can show: keys, types, allowed values, ranges, names, one
//! distribution form per table, one trigger per event. What needs the whole scenario (a name that
//! must exist, weights summing to 1, a position within its issue's scale) is left to
//! `crossroads check`. A variant that `extends` a parent may leave out any key it inherits, so the
//! keys a complete scenario must have are only required of files without `extends`.

use serde_json::{Map, Value, json};

use super::keys::{
    ABOUT, ACTOR, CORRELATION, CORRELATIONS, EFFECT, EVENT, EVIDENCE, EXPERIMENT, FORMS, Form, ISSUE, Key,
    NAME_PATTERN, OUTCOME, PAIR_PATTERN, POPULATION, Parameters, SCENARIO, STAKE, Shape, VARIABLE,
};

/// The JSON Schema draft the schema is written in.
pub const DRAFT: &str = "http://json-schema.org/draft-04/schema#";

/// Month pattern, "YYYY-MM".
const MONTH_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])$";

/// A top-level section: its name, what its entries are, and its description.
struct Section {
    name: &'static str,
    entry: Entry,
    doc: &'static str,
}

/// What a section's entries are.
enum Entry {
    /// `[scenario]`: one fixed table.
    Meta,
    /// A driver: a number, or a table with one distribution form and the register keys.
    Driver,
    /// An assumption table with the register keys and these.
    Assumption(&'static [Key]),
    /// An event: an assumption table with one trigger, `probability` or `at`.
    Event,
    /// `[correlations]`: `repair` and pairs `"a ~ b"`, each a number or `{ rho, source, … }`.
    Correlations,
    /// One table with the register keys and these (`[experiment]`).
    Table(&'static [Key]),
}

const SECTION_TABLE: [Section; 11] = [
    Section {
        name: "scenario",
        entry: Entry::Meta,
        doc: "The scenario: name, title, start month, horizon, runs, seed.",
    },
    Section {
        name: "drivers",
        entry: Entry::Driver,
        doc: "Drivers: exogenous uncertainty, drawn once per run (name → distribution).",
    },
    Section {
        name: "variables",
        entry: Entry::Assumption(VARIABLE),
        doc: "Variables: the region's state, drifting each month towards a target pushed by links.",
    },
    Section {
        name: "events",
        entry: Entry::Event,
        doc: "Events: monthly hazards on the log-odds scale, or scheduled by a driver.",
    },
    Section {
        name: "actors",
        entry: Entry::Assumption(ACTOR),
        doc: "Actors who bargain over issues, with their capability.",
    },
    Section {
        name: "issues",
        entry: Entry::Assumption(ISSUE),
        doc: "Issues bargained over (bdm or compromise), with each actor's stake.",
    },
    Section {
        name: "populations",
        entry: Entry::Assumption(POPULATION),
        doc: "Populations: agents deciding each month whether to go home.",
    },
    Section {
        name: "outcomes",
        entry: Entry::Assumption(OUTCOME),
        doc: "Outcomes: what is measured in every run.",
    },
    Section {
        name: "evidence",
        entry: Entry::Assumption(EVIDENCE),
        doc: "Evidence: what is known to have happened; each run is weighed by how well it matches.",
    },
    Section {
        name: "correlations",
        entry: Entry::Correlations,
        doc: "Rank correlations between drivers: \"driver_a ~ driver_b\" = rho or { rho, source }.",
    },
    Section {
        name: "experiment",
        entry: Entry::Table(EXPERIMENT),
        doc: "The design of `crossroads explore` over some of the scenario's numbers (`run` ignores it).",
    },
];

/// The JSON Schema of a scenario file.
pub fn json_schema() -> Value {
    let mut properties = Map::new();
    let mut complete = Map::new();
    for section in &SECTION_TABLE {
        let (schema, overlay) = match section.entry {
            Entry::Meta => (object(SCENARIO, &[]), required_overlay(SCENARIO)),
            Entry::Driver => (named(driver()), Value::Null),
            Entry::Table(keys) => (object(ABOUT, keys), Value::Null),
            Entry::Assumption(keys) => (named(object(ABOUT, keys)), named_overlay(keys)),
            Entry::Event => {
                let mut event = object(ABOUT, EVENT);
                set(&mut event, "not", json!({ "required": ["probability", "at"] }));
                let mut overlay = required_overlay(EVENT);
                set(&mut overlay, "oneOf", json!([{ "required": ["probability"] }, { "required": ["at"] }]));
                (named(event), json!({ "patternProperties": { NAME_PATTERN: overlay } }))
            }
            Entry::Correlations => (correlations(), Value::Null),
        };
        properties.insert(section.name.into(), describe(schema, section.doc, None));
        if !overlay.is_null() {
            complete.insert(section.name.into(), overlay);
        }
    }
    json!({
        "$schema": DRAFT,
        "title": "crossroads scenario",
        "description": "A crossroads scenario file (generated by `crossroads schema` from the loader's key tables).",
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "required": ["scenario"],
        "anyOf": [
            { "properties": { "scenario": { "required": ["extends"] } } },
            { "properties": complete }
        ],
        "definitions": {
            "distribution": distribution(),
            "effect": effect(),
        }
    })
}

/// A section of named entries: `{ name = entry }`, names as identifiers.
fn named(entry: Value) -> Value {
    json!({
        "type": "object",
        "patternProperties": { NAME_PATTERN: entry },
        "additionalProperties": false,
    })
}

/// An object with `keys` (and `extra`), nothing else.
fn object(keys: &[Key], extra: &[Key]) -> Value {
    let mut properties = Map::new();
    for key in keys.iter().chain(extra) {
        properties.insert(key.name.into(), key_schema(key));
    }
    json!({ "type": "object", "properties": properties, "additionalProperties": false })
}

/// `{ required: […], properties: { nested tables' own overlays } }` for a complete scenario.
fn required_overlay(keys: &[Key]) -> Value {
    let required: Vec<&str> = keys.iter().filter(|k| k.required).map(|k| k.name).collect();
    let mut properties = Map::new();
    for key in keys {
        match key.shape {
            Shape::Table(nested) => {
                properties.insert(key.name.into(), required_overlay(nested));
            }
            Shape::Stakes => {
                properties.insert(key.name.into(), named_overlay(STAKE));
            }
            _ => {}
        }
    }
    let mut overlay = json!({ "properties": properties });
    if !required.is_empty() {
        set(&mut overlay, "required", json!(required));
    }
    overlay
}

/// The complete-scenario overlay of every named entry of a section.
fn named_overlay(keys: &[Key]) -> Value {
    json!({ "patternProperties": { NAME_PATTERN: required_overlay(keys) } })
}

/// One key's schema, with its description and default.
fn key_schema(key: &Key) -> Value {
    describe(shape(key.shape), key.doc, key.default)
}

/// Sets `key` of a schema object (every schema built here is a JSON object).
fn set(schema: &mut Value, key: &str, value: Value) {
    if let Value::Object(map) = schema {
        map.insert(key.into(), value);
    }
}

fn describe(mut schema: Value, doc: &str, default: Option<&str>) -> Value {
    set(&mut schema, "description", json!(doc));
    // A default that is not JSON (±inf) stays in the description alone.
    if let Some(value) = default.and_then(|d| serde_json::from_str::<Value>(d).ok()) {
        set(&mut schema, "default", value);
    }
    schema
}

fn number_schema(min: Option<f64>, max: Option<f64>, above: bool) -> Value {
    let mut schema = json!({ "type": "number" });
    if let Some(min) = min {
        set(&mut schema, "minimum", json!(min));
        if above {
            set(&mut schema, "exclusiveMinimum", json!(true));
        }
    }
    if let Some(max) = max {
        set(&mut schema, "maximum", json!(max));
    }
    schema
}

fn shape(shape: Shape) -> Value {
    match shape {
        Shape::Text => json!({ "type": "string" }),
        Shape::OneOf(values) => json!({ "type": "string", "enum": values }),
        Shape::Pattern(pattern) => json!({ "type": "string", "pattern": pattern }),
        Shape::Month => json!({ "type": "string", "pattern": MONTH_PATTERN }),
        Shape::Whole { min, max } => {
            let mut schema = json!({ "type": "integer", "minimum": min });
            // i64::MAX is no bound a file can reach (and not exact in JSON's doubles).
            if max < i64::MAX {
                set(&mut schema, "maximum", json!(max));
            }
            schema
        }
        Shape::Number { min, max, above } => number_schema(min, max, above),
        Shape::Probability => number_schema(Some(0.0), Some(1.0), false),
        Shape::Boolean => json!({ "type": "boolean" }),
        Shape::Distribution => json!({ "$ref": "#/definitions/distribution" }),
        Shape::Quantity => json!({
            "oneOf": [
                { "$ref": "#/definitions/distribution" },
                { "type": "string", "pattern": NAME_PATTERN, "description": "A variable's name." }
            ]
        }),
        Shape::Links => json!({
            "type": "object",
            "additionalProperties": { "type": "number", "description": "The term's coefficient." }
        }),
        Shape::Effects => json!({
            "type": "object",
            "patternProperties": { NAME_PATTERN: { "$ref": "#/definitions/effect" } },
            "additionalProperties": false
        }),
        Shape::Scale => {
            json!({ "type": "array", "items": { "type": "number" }, "minItems": 2, "maxItems": 2 })
        }
        Shape::Names => json!({
            "type": "array",
            "items": { "type": "string", "pattern": NAME_PATTERN },
            "minItems": 2,
            "uniqueItems": true
        }),
        Shape::DriverOrMonth => json!({
            "oneOf": [
                { "type": "string", "pattern": NAME_PATTERN, "description": "A numeric driver's name." },
                { "type": "integer", "minimum": 0, "description": "Months since the start." }
            ]
        }),
        Shape::Table(keys) => object(keys, &[]),
        Shape::Stakes => named(object(STAKE, ABOUT)),
        Shape::Factors => json!({ "type": "object", "additionalProperties": driver() }),
    }
}

/// A driver: a number, or the register keys with exactly one distribution form.
fn driver() -> Value {
    let mut properties = Map::new();
    for key in ABOUT {
        properties.insert(key.name.into(), key_schema(key));
    }
    for form in FORMS {
        properties.insert(form.name.into(), form_schema(form));
    }
    json!({
        "oneOf": [
            { "type": "number", "description": "A fixed value." },
            {
                "type": "object",
                "properties": properties,
                "additionalProperties": false,
                "oneOf": one_form()
            }
        ]
    })
}

/// `[correlations]`: `repair`, and pairs that are a number or a table with `rho` and the register
/// keys; ρ strictly between −1 and 1.
fn correlations() -> Value {
    let mut schema = object(CORRELATIONS, &[]);
    let mut pair = object(ABOUT, CORRELATION);
    let rho = json!({
        "type": "number", "minimum": -1, "maximum": 1, "exclusiveMinimum": true, "exclusiveMaximum": true
    });
    if let Some(Value::Object(properties)) = pair.get_mut("properties")
        && let Some(key) = CORRELATION.first()
    {
        properties.insert(key.name.into(), describe(rho.clone(), key.doc, None));
    }
    set(&mut pair, "required", json!(["rho"]));
    let doc = "A pair of drivers and their target Spearman rank correlation: a number, or { rho, source }.";
    let entry = describe(json!({ "oneOf": [rho, pair] }), doc, None);
    set(&mut schema, "patternProperties", json!({ PAIR_PATTERN: entry }));
    schema
}

/// A number or a table with exactly one distribution form.
fn distribution() -> Value {
    let properties: Map<String, Value> = FORMS.iter().map(|f| (f.name.to_string(), form_schema(f))).collect();
    json!({
        "description": "A number, or one distribution: fixed, uniform, normal, lognormal, beta, triangular, pert, bernoulli, categorical or poisson.",
        "oneOf": [
            { "type": "number" },
            {
                "type": "object",
                "properties": properties,
                "additionalProperties": false,
                "oneOf": one_form()
            }
        ]
    })
}

/// Exactly one form among a table's keys.
fn one_form() -> Value {
    Value::Array(FORMS.iter().map(|f| json!({ "required": [f.name] })).collect())
}

fn form_schema(form: &Form) -> Value {
    let schema = match form.parameters {
        Parameters::Number { min, max } => number_schema(min, max, false),
        Parameters::Weights => json!({
            "type": "object",
            "patternProperties": { NAME_PATTERN: number_schema(Some(0.0), Some(1.0), false) },
            "additionalProperties": false,
            "minProperties": 1
        }),
        Parameters::Table { keys, required } => {
            let properties: Map<String, Value> =
                keys.iter().map(|k| (k.to_string(), json!({ "type": "number" }))).collect();
            let mut schema =
                json!({ "type": "object", "properties": properties, "additionalProperties": false });
            match required {
                [one] => set(&mut schema, "required", json!(one)),
                sets => {
                    let alternatives = sets.iter().map(|set| json!({ "required": set })).collect();
                    set(&mut schema, "oneOf", Value::Array(alternatives));
                }
            }
            schema
        }
    };
    describe(schema, form.doc, None)
}

/// An effect: exactly one of `set`, `add`, `mul`.
fn effect() -> Value {
    let mut schema = object(EFFECT, &[]);
    set(&mut schema, "oneOf", Value::Array(EFFECT.iter().map(|k| json!({ "required": [k.name] })).collect()));
    set(
        &mut schema,
        "description",
        json!("What the event does to the variable: exactly one of set, add, mul."),
    );
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::SECTIONS;

    #[test]
    fn every_section_of_the_loader_is_described() {
        let names: Vec<&str> = SECTION_TABLE.iter().map(|s| s.name).collect();
        assert_eq!(names, SECTIONS);
    }

    #[test]
    fn every_declared_key_is_in_the_schema_with_its_description() {
        let schema = json_schema();
        let variable = &schema["properties"]["variables"]["patternProperties"][NAME_PATTERN];
        for key in ABOUT.iter().chain(VARIABLE) {
            assert_eq!(variable["properties"][key.name]["description"], json!(key.doc), "{}", key.name);
        }
        assert_eq!(schema["properties"]["scenario"]["properties"]["runs"]["default"], json!(1000));
        assert_eq!(schema["$schema"], json!(DRAFT));
    }
}
