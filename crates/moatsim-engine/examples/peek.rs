use std::sync::Arc;
fn main() {
    let path = std::env::args().nth(1).unwrap_or("configs/baseline.toml".into());
    let loaded = moatsim_config::load(std::path::Path::new(&path), &[]).expect("config");
    let mut sim = moatsim_engine::Simulation::new(Arc::new(loaded.scenario)).expect("sim");
    while let Some(f) = sim.step() {
        let w = &f.world;
        println!("t{:2} online {:>10.0} load {:>7.0}MW strand {:>8} gpuix {:>6.1} pwr {:>5.1} infp {:>5.2} hhi {:>5.0} lead {:.3} raised {:>5.1}B infra {:>6.1}B app {:>6.1}B lost {:>5.2e} alive {} churn {:.3} events {}",
            f.stamp.tick, w.online_compute_h100e, w.dc_load_mw, w.stranded_gpus, w.gpu_price_index, w.power_price_avg, w.inference_price_avg, w.hhi, w.leader_capability_lead, w.capital_raised/1e9, w.infra_profit/1e9, w.app_profit/1e9, w.lost_demand_mtok, w.builders_alive, w.builder_churn_rate, f.events.len());
        if f.stamp.tick % 6 == 5 {
            for l in &f.labs { println!("   {:14} alive {} cash {:>6.1}B val {:>6.0}B cap {:.2} online {:>9.0} price {:.2} mc {:.2} rev {:.2}B capex {:.1}B share {:.2} pipe {} strand {}", l.name, l.alive, l.cash/1e9, l.valuation/1e9, l.capability, l.online_compute_h100e, l.inference_price, l.marginal_cost, l.revenue/1e9, l.capex/1e9, l.market_share, l.projects_in_pipeline, l.stranded_gpus); }
            for m in &f.chipmakers { println!("   {:10} sold {} asp {:?} gm {:?} inv {} backlog {} cap {}", m.name, m.units_sold, m.asp, m.gross_margin, m.inventory_units, m.backlog_units, m.capacity_units); }
            for u in &f.utilities { println!("   {:12} gen {:.0} committed {:.0} margin {:.3} tariff {:.1} queue {} wait {:.1}", u.name, u.generation_mw, u.committed_mw, u.reserve_margin, u.tariff, u.queue_requests, u.mean_queue_wait_quarters); }
        }
    }
    let m = sim.money_totals();
    println!("money: cash {:.6e} in {:.6e} out {:.6e}", m.agent_cash_usd, m.external_in_usd, m.external_out_usd);
    println!("gpus {:?}", sim.gpu_totals());
}
