//! Temporary performance probe.
use super::testing::*;
use crate::scenario::*;

pub fn big() -> Scenario {
    let mut s = scenario(120);
    s.drivers = vec![
        driver(
            "exit",
            Distribution::Categorical(vec![
                ("frozen".into(), 0.45),
                ("settlement".into(), 0.35),
                ("gains".into(), 0.12),
                ("collapse".into(), 0.08),
            ]),
        ),
        driver("exit_month", Distribution::Triangular { min: 6.0, mode: 30.0, max: 96.0 }),
        driver("credibility", Distribution::Beta { alpha: 8.0, beta: 3.0 }),
        driver("eu", Distribution::beta_from_moments(0.5, 0.15)),
    ];
    let names = ["a", "b", "c", "d", "e", "f", "g"];
    let mut vars = vec![];
    for (i, n) in ["influence", "tension", "west", "economy", "confidence", "trust"].iter().enumerate() {
        let mut v = variable(n, 0.5, 0.5, 0.05, 0.01);
        v.min = 0.0;
        v.max = 1.0;
        v.links = vec![
            link(
                vec![
                    Factor::DriverIs { driver: "exit".into(), outcome: "collapse".into() },
                    Factor::After("exit_month".into()),
                ],
                -0.3,
            ),
            link(vec![Factor::Driver("credibility".into())], 0.1 * i as f64),
        ];
        vars.push(v);
    }
    s.variables = vars;
    let mut clash = hazard("clash", 0.03);
    clash.trigger = Trigger::Hazard {
        probability: 0.03,
        links: vec![
            link(vec![Factor::Variable("tension".into())], 2.0),
            link(vec![Factor::Driver("credibility".into())], -0.8),
        ],
    };
    clash.duration = 2;
    clash.effects = vec![Effect { variable: "tension".into(), operation: Operation::Add(0.15) }];
    s.events = vec![
        clash,
        scheduled("exit_war", "exit_month"),
        hazard("e3", 0.01),
        hazard("e4", 0.02),
        hazard("e5", 0.005),
    ];
    s.actors = names.iter().map(|n| actor(n, 0.2)).collect();
    s.actors[2].capability = Quantity::Variable("influence".into());
    let mut issues = vec![];
    for (k, (every, n)) in [(3u32, 7usize), (3, 6), (2, 5), (6, 5)].iter().enumerate() {
        let stakes = (0..*n)
            .map(|j| {
                let mut st = stake(names[j], (j * 37 % 100) as f64, 0.3 + 0.1 * j as f64);
                if j == 1 {
                    st.salience = Quantity::Drawn(Distribution::Beta { alpha: 6.0, beta: 3.0 });
                }
                st
            })
            .collect();
        let model =
            if k == 2 { BargainingModel::Compromise { concession: 0.2 } } else { BargainingModel::Bdm };
        let mut i = issue(&format!("issue{k}"), model, *every, stakes);
        i.agreement = Some(Agreement {
            parties: vec!["a".into(), "b".into()],
            within: 15.0,
            probability: 0.1,
            links: vec![link(vec![Factor::Variable("influence".into())], -2.0)],
        });
        issues.push(i);
    }
    s.issues = issues;
    let mut p1 = population("karabakh", 2000, Distribution::Beta { alpha: 5.0, beta: 2.0 }, 0.0, 0.3, 0.05);
    p1.links = vec![
        link(vec![Factor::Agreed("issue1".into())], 0.35),
        link(vec![Factor::Settlement("issue1".into()), Factor::Agreed("issue1".into())], 0.004),
        link(vec![Factor::Active("clash".into())], -0.6),
    ];
    p1.flee = Some(Flee { on: "clash".into(), probability: 0.5 });
    let mut p2 =
        population("western", 1000, Distribution::Pert { min: 0.1, mode: 0.5, max: 0.9 }, 0.2, 0.2, 0.08);
    p2.links = vec![link(vec![Factor::Agreed("issue0".into())], 0.2)];
    s.populations = vec![p1, p2];
    s.outcomes = vec![
        outcome("treaty", vec![Factor::Agreed("issue0".into())], false),
        outcome("home", vec![Factor::Home("karabakh".into())], true),
        outcome("home2", vec![Factor::HomeShare("western".into())], true),
        outcome("first_clash", vec![Factor::First("clash".into())], false),
        outcome("tension", vec![Factor::Variable("tension".into())], true),
        outcome("forecast", vec![Factor::Forecast("issue1".into())], true),
    ];
    s
}

#[test]
#[ignore]
fn perf_probe() {
    let s = big();
    let model = crate::model::Model::compile(&s).unwrap();
    for threads in [1, 2] {
        let t = std::time::Instant::now();
        let settings =
            crate::engine::Settings { runs: 10_000, seed: 1, threads: Some(threads), progress: false };
        let sim = crate::engine::simulate(&model, &settings).unwrap();
        let t1 = t.elapsed();
        let summary = crate::stats::summarize(&model, &sim);
        eprintln!("threads {threads}: simulate {:?}, summarize {:?}", t1, t.elapsed() - t1);
        eprintln!("{}", crate::report::table::outcome_table(&summary));
    }
}
