//! Unit tests of the app-builder passes, run on the baseline's population
//! without the ECS: the labs' offers and served fractions are set by hand, so
//! each test can move one thing and watch the builders respond.

use std::error::Error;
use std::path::Path;

use moatsim_config::Scenario;

use super::*;
use crate::resources::ActiveTie;

type TestResult = Result<(), Box<dyn Error>>;

/// The id of the first generated builder (any id works; ids key the draws).
const FIRST_ID: u64 = 1_000;

/// The baseline scenario with `builders` app builders.
fn baseline(builders: u64) -> Result<Scenario, Box<dyn Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml");
    let overrides = [format!("app_builders.count={builders}")];
    Ok(moatsim_config::load(&path, &overrides)?.scenario)
}

/// A quarter of the builders' market with the labs' side fixed by the test.
struct Market {
    scenario: Scenario,
    offers: Vec<LabOffer>,
    strengths: Vec<f64>,
    ties: Vec<ActiveTie>,
    /// The share of each lab's builders' tokens served.
    served: Vec<f64>,
}

/// What the three steps of one quarter returned.
#[derive(Debug)]
struct Quarter {
    choice: ChoiceTotals,
    segments: SegmentOutcome,
    settlement: SettlementTotals,
}

impl Market {
    /// The baseline's labs, each open and fully served, priced around the
    /// builders' reference price so that the cheaper ones are the weaker.
    fn baseline(builders: u64) -> Result<Self, Box<dyn Error>> {
        let scenario = baseline(builders)?;
        let reference = scenario.app_builders.reference_price_per_mtok;
        let offers: Vec<LabOffer> = scenario
            .labs
            .iter()
            .enumerate()
            .map(|(index, lab)| {
                let price = reference * (0.5 + 0.25 * index as f64);
                LabOffer {
                    open: true,
                    capability: lab.capability,
                    price_per_mtok: price,
                    own_cost_per_mtok: 0.5 * price,
                }
            })
            .collect();
        let strengths = scenario
            .labs
            .iter()
            .flat_map(|lab| lab.segment_strengths.iter().copied())
            .collect();
        Ok(Self {
            served: vec![1.0; offers.len()],
            offers,
            strengths,
            ties: Vec::new(),
            scenario,
        })
    }

    /// Labs that differ in nothing, so only what a test changes sets them
    /// apart.
    fn identical_labs(mut self) -> Self {
        for offer in &mut self.offers {
            offer.capability = 1.0;
            offer.price_per_mtok = self.scenario.app_builders.reference_price_per_mtok;
        }
        self.strengths.clear();
        self
    }

    fn population(&self) -> AppBuilderPopulation {
        AppBuilderPopulation::generate(&self.scenario, FIRST_ID)
    }

    /// One quarter at `tick`, as `systems::inference` runs it, without
    /// failover or entry.
    fn quarter(&self, population: &mut AppBuilderPopulation, tick: u32) -> Quarter {
        let spec = &self.scenario.app_builders;
        let crowding = segment_crowding(population, spec);
        // The frontier stays where it starts: adoption moves by diffusion only.
        let frontier = vec![1.0; tick as usize + 1];
        advance_adoption(population, spec, tick, 1.0);
        let adoption = demand_paths(population, spec, &frontier);
        let value_factors = vec![1.0; spec.segments.len()];
        let context = ChoiceContext {
            seed: self.scenario.seed,
            tick,
            spec,
            offers: &self.offers,
            ties: &self.ties,
            crowding: &crowding,
            adoption: &adoption,
            value_factors: &value_factors,
            strengths: &self.strengths,
            tiers: TierResponse::default(),
        };
        let choice = choose_providers(population, &context);
        let segments = clear_segments(population, &context.segment_context(), &choice);
        let settlement = settle_builders(
            population,
            &SettlementContext {
                spec,
                tick,
                offers: &self.offers,
                served_fraction: &self.served,
                demand_per_weight: &segments.demand_per_weight,
                adoption: &adoption,
            },
        );
        Quarter {
            choice,
            segments,
            settlement,
        }
    }

    /// The customers each lab wins in the first quarter of a new population.
    fn first_customers(&self) -> Vec<u64> {
        let mut population = self.population();
        self.quarter(&mut population, 0).choice.customers
    }
}

/// Equal up to rounding: sums of the same numbers in another order.
fn assert_close(a: f64, b: f64, what: &str) {
    let tolerance = 1e-9 * a.abs().max(b.abs()).max(1.0);
    assert!((a - b).abs() <= tolerance, "{what}: {a} against {b}");
}

/// A digest of everything a value's `Debug` prints. `Debug` prints each
/// f64 so that it reads back to the same bits, so equal digests are equal
/// numbers (up to a 64-bit hash collision).
fn digest(value: &impl std::fmt::Debug) -> u64 {
    struct Hashing(std::collections::hash_map::DefaultHasher);
    impl std::fmt::Write for Hashing {
        fn write_str(&mut self, text: &str) -> std::fmt::Result {
            std::hash::Hasher::write(&mut self.0, text.as_bytes());
            Ok(())
        }
    }
    let mut hashing = Hashing(std::collections::hash_map::DefaultHasher::new());
    // Writing into a hasher cannot fail.
    let _ = std::fmt::Write::write_fmt(&mut hashing, format_args!("{value:?}"));
    std::hash::Hasher::finish(&hashing.0)
}

#[test]
fn sums_and_columns_are_the_same_on_one_thread_and_many() -> TestResult {
    // Enough chunks (the last one short) that a sum which followed the
    // threads' split instead of chunk order would come out differently, a
    // joint venture and a rationed lab, so that every branch that adds to a
    // total runs.
    let mut market = Market::baseline(12 * CHUNK as u64 + 1_234)?;
    market.ties.push(ActiveTie {
        venture: 0,
        lab: 1,
        share: 0.3,
        strength: 1.0,
    });
    market.served[2] = 0.6;
    let run = |threads: usize| -> Result<Vec<u64>, Box<dyn Error>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        Ok(pool.install(|| {
            let mut population = market.population();
            let mut digests: Vec<u64> = (0..4)
                .map(|tick| digest(&market.quarter(&mut population, tick)))
                .collect();
            digests.push(digest(&population));
            digests
        }))
    };
    let one = run(1)?;
    for threads in [2, 3, 8] {
        assert_eq!(
            run(threads)?,
            one,
            "{threads} threads gave other sums or columns than one thread (digests by quarter, then of the population)"
        );
    }
    Ok(())
}

#[test]
fn builders_pay_what_labs_earn_and_ask_what_segments_demand() -> TestResult {
    let mut market = Market::baseline(2 * CHUNK as u64 + 500)?;
    market.served[1] = 0.5;
    let mut population = market.population();
    for tick in 0..4 {
        let quarter = market.quarter(&mut population, tick);
        let (choice, settlement) = (&quarter.choice, &quarter.settlement);
        let started: Vec<usize> = (0..population.len())
            .filter(|&i| population.alive_at_start[i])
            .collect();
        let builders_spend: f64 = started.iter().map(|&i| population.spend_usd[i]).sum();
        let labs_revenue: f64 = settlement.spend_by_lab.iter().sum();
        assert_close(labs_revenue, builders_spend, "labs' API revenue");
        assert_close(
            settlement.spend_by_segment.iter().sum(),
            labs_revenue,
            "token spend by segment",
        );
        for (lab, &earned) in settlement.spend_by_lab.iter().enumerate() {
            let paid: f64 = started
                .iter()
                .filter(|&&i| population.provider[i] as usize == lab)
                .map(|&i| population.spend_usd[i])
                .sum();
            assert_close(earned, paid, "one lab's API revenue");
        }
        assert_close(
            settlement.revenue_usd - labs_revenue - settlement.fixed_costs_usd,
            settlement.profit_usd,
            "builders' profit",
        );
        // The tokens builders ask for are what the end-user markets handed
        // the labs' APIs; what was not served is lost.
        let asked: f64 = population.demand_mtok.iter().sum();
        let served: f64 = population.served_mtok.iter().sum();
        assert_close(
            asked,
            quarter.segments.api_demand_by_lab.iter().sum(),
            "API demand",
        );
        assert_close(settlement.lost_demand_mtok, asked - served, "lost demand");
        assert!(
            settlement.lost_demand_mtok > 0.0,
            "the rationed lab lost demand"
        );
        // Every builder is counted once: as a customer of its provider, and
        // as alive or exited.
        let with_provider = started
            .iter()
            .filter(|&&i| population.provider[i] != NO_PROVIDER)
            .count() as u64;
        assert_eq!(choice.customers.iter().sum::<u64>(), with_provider);
        assert_eq!(
            settlement.alive_by_segment.iter().sum::<u64>()
                + settlement.exits_by_segment.iter().sum::<u64>(),
            started.len() as u64
        );
        let labs = market.offers.len();
        for (segment, &weight) in choice.weight_by_segment.iter().enumerate() {
            let by_lab = &choice.weight_by_segment_lab[segment * labs..(segment + 1) * labs];
            assert_close(by_lab.iter().sum(), weight, "a segment's weight");
        }
    }
    Ok(())
}

#[test]
fn exited_builders_stay_exited_and_trade_no_more() -> TestResult {
    let mut market = Market::baseline(5_000)?;
    market.scenario.app_builders.exit_after_loss_quarters = 2;
    let mut population = market.population();
    // The first quarter sets each builder's fixed costs from its revenue;
    // after it no lab serves anyone, so every builder with costs loses money.
    market.quarter(&mut population, 0);
    market.served.fill(0.0);
    let mut exited = 0;
    for tick in 1..6 {
        let alive_before = population.alive.clone();
        let cash_before = population.cash.clone();
        let quarter = market.quarter(&mut population, tick);
        let exits_now = (0..population.len())
            .filter(|&i| alive_before[i] && !population.alive[i])
            .count();
        assert_eq!(
            quarter.settlement.exits_by_segment.iter().sum::<u64>(),
            exits_now as u64
        );
        for i in (0..population.len()).filter(|&i| !alive_before[i]) {
            assert!(!population.alive[i], "builder {i} came back");
            assert!(!population.alive_at_start[i]);
            assert!(
                population.served_mtok[i] == 0.0
                    && population.spend_usd[i] == 0.0
                    && population.revenue_usd[i] == 0.0
                    && population.profit_usd[i] == 0.0,
                "exited builder {i} traded"
            );
            assert_eq!(population.cash[i].to_bits(), cash_before[i].to_bits());
        }
        exited += exits_now;
    }
    assert!(
        exited > population.len() / 2,
        "only {exited} of {} builders exited after quarters of losses",
        population.len()
    );
    Ok(())
}

#[test]
fn adoption_and_growth_only_grow() -> TestResult {
    let scenario = baseline(100)?;
    let spec = &scenario.app_builders;
    let quarters = 40;
    // Bass adoption over a frontier that rises 0.5 a year.
    let frontier: Vec<f64> = (0..=quarters).map(|t| 1.0 + 0.125 * f64::from(t)).collect();
    let paths = |spec: &AppBuilderSpec| {
        let mut population = AppBuilderPopulation {
            segments: vec![SegmentState::default(); spec.segments.len()],
            ..AppBuilderPopulation::default()
        };
        for tick in 0..=quarters {
            advance_adoption(&mut population, spec, tick, frontier[tick as usize]);
        }
        demand_paths(&population, spec, &frontier)
    };
    let tables = paths(spec);
    let mut faster_spec = spec.clone();
    faster_spec.adoption_imitation_per_year *= 1.5;
    let faster = paths(&faster_spec);
    assert_eq!(tables.len(), spec.segments.len());
    for (table, faster) in tables.iter().zip(&faster) {
        assert_eq!(table.len(), quarters as usize + 1);
        assert_eq!(table[0].to_bits(), 0.0_f64.to_bits(), "no adoption yet");
        assert!(table.windows(2).all(|pair| pair[1] > pair[0]));
        // Faster imitation means more adoption in every later quarter.
        assert!(table.iter().zip(faster).skip(1).all(|(a, b)| b > a));
        for to in [0, 1, 7, quarters] {
            let growth = growth_table(table, to, None);
            assert_eq!(growth.len(), to as usize + 1);
            assert_close(growth[to as usize], 1.0, "a base that entered now");
            // A base that entered earlier has grown more.
            assert!(growth.windows(2).all(|pair| pair[0] >= pair[1]));
            // Costs that grow less than in proportion grow, but less.
            let damped = growth_table(table, to, Some(0.5));
            for (damped, growth) in damped.iter().zip(&growth) {
                assert!(*damped >= 1.0 - 1e-12 && *damped <= growth + 1e-12);
            }
            // After the table, the growth is computed directly.
            let later = to + 2;
            assert_close(
                table_or(&growth, later, || grown(table, later, to)),
                grown(table, later, to),
                "an entry after the table",
            );
        }
    }
    Ok(())
}

#[test]
fn builders_in_a_joint_venture_lean_to_its_lab() -> TestResult {
    // The usual choice, and the stable logit that switching costs beyond
    // exp's range fall back to.
    for switching_cost_base in [0.5, 700.0] {
        let mut market = Market::baseline(20_000)?.identical_labs();
        market.scenario.app_builders.switching_cost_base = switching_cost_base;
        let untied = market.first_customers();
        market.ties.push(ActiveTie {
            venture: 0,
            lab: 2,
            share: 1.0,
            strength: 2.0,
        });
        let tied = market.first_customers();
        assert_eq!(tied.iter().sum::<u64>(), untied.iter().sum::<u64>());
        assert!(
            tied[2] > 2 * untied[2],
            "base {switching_cost_base}: the tie's lab won {} customers, {} without the tie",
            tied[2],
            untied[2]
        );
        for (lab, &customers) in tied.iter().enumerate().filter(|&(lab, _)| lab != 2) {
            assert!(
                tied[2] > 3 * customers,
                "base {switching_cost_base}: lab {lab} won {customers}, the tie's lab {}",
                tied[2]
            );
        }
    }
    Ok(())
}

#[test]
fn a_cheaper_lab_wins_more_builders_and_a_closed_one_none() -> TestResult {
    let mut market = Market::baseline(20_000)?.identical_labs();
    market.offers[0].price_per_mtok *= 0.5;
    market.offers[3].open = false;
    let customers = market.first_customers();
    assert_eq!(customers[3], 0, "a closed lab has no customers");
    for (lab, &won) in customers.iter().enumerate().skip(1) {
        if lab != 3 {
            assert!(
                customers[0] > won,
                "the cheaper lab won {}, lab {lab} {won}",
                customers[0]
            );
        }
    }
    Ok(())
}

#[test]
fn switching_costs_hold_builders_when_a_rival_gets_cheaper() -> TestResult {
    for (switching_cost_base, switches_expected) in [(0.0, true), (50.0, false), (700.0, false)] {
        let mut market = Market::baseline(10_000)?.identical_labs();
        market.scenario.app_builders.switching_cost_base = switching_cost_base;
        market.scenario.app_builders.provider_review_share = 1.0;
        let mut population = market.population();
        market.quarter(&mut population, 0);
        let first = population.provider.clone();
        market.offers[0].price_per_mtok *= 0.5;
        let quarter = market.quarter(&mut population, 1);
        let moved = first
            .iter()
            .zip(&population.provider)
            .filter(|(a, b)| a != b)
            .count() as u64;
        assert_eq!(quarter.choice.switches, moved);
        assert_eq!(
            moved > 0,
            switches_expected,
            "base {switching_cost_base}: {moved} builders moved"
        );
    }
    Ok(())
}

#[test]
fn a_builder_that_does_not_review_keeps_its_lab() -> TestResult {
    let mut market = Market::baseline(10_000)?;
    market.scenario.app_builders.provider_review_share = 0.0;
    let mut population = market.population();
    market.quarter(&mut population, 0);
    let first = population.provider.clone();
    // Another lab becomes much cheaper; nobody is looking.
    market.offers[1].price_per_mtok *= 0.1;
    let quarter = market.quarter(&mut population, 1);
    assert_eq!(population.provider, first);
    assert_eq!(quarter.choice.switches, 0);
    assert_eq!(quarter.choice.stayed, quarter.choice.customers);
    for i in (0..population.len()).filter(|&i| population.provider[i] != NO_PROVIDER) {
        assert_eq!(population.tenure[i], 1, "builder {i}'s second quarter");
    }
    Ok(())
}

#[test]
fn a_product_starts_at_its_configured_share() -> TestResult {
    let market = Market::baseline(5_000)?;
    let mut population = market.population();
    market.quarter(&mut population, 0);
    let mut checked = 0;
    for product in &population.products {
        let alone = population
            .products
            .iter()
            .filter(|other| other.segment == product.segment)
            .count()
            == 1;
        if product.launch_tick == 0 && alone {
            assert_close(product.share, product.share_at_launch, "launch share");
            assert_close(
                population.segments[product.segment].product_share,
                product.share_at_launch,
                "the segment's product share",
            );
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "the baseline has a product on sale from the start"
    );
    Ok(())
}

#[test]
fn entrants_join_the_segment_that_drew_them() -> TestResult {
    let scenario = baseline(1_000)?;
    let mut population = AppBuilderPopulation::generate(&scenario, FIRST_ID);
    let incumbents = population.len();
    let segment = 2;
    let builders_before = population.segments[segment].builders;
    population.enter(&scenario, segment, 50, 9_000_000, 3, 1.0);
    assert_eq!(population.len(), incumbents + 50);
    assert_close(
        population.segments[segment].builders,
        builders_before + 50.0,
        "the segment's builders",
    );
    for (offset, i) in (incumbents..population.len()).enumerate() {
        assert_eq!(population.id[i], 9_000_000 + offset as u64);
        assert_eq!(usize::from(population.segment[i]), segment);
        assert_eq!(population.entered_tick[i], 3);
        assert!(population.alive[i] && !population.alive_at_start[i]);
        assert_eq!(population.provider[i], NO_PROVIDER);
        assert_eq!(
            population.fixed_cost_usd[i].to_bits(),
            UNSET_FIXED_COST.to_bits()
        );
    }
    // Entry draws come from the entrants' own streams: the same entry twice
    // gives the same builders.
    let mut again = AppBuilderPopulation::generate(&scenario, FIRST_ID);
    again.enter(&scenario, segment, 50, 9_000_000, 3, 1.0);
    assert_eq!(format!("{population:?}"), format!("{again:?}"));
    Ok(())
}
