//! Physical and calendar constants shared by the rules.

/// Quarters in a year: a quarterly flow times this is its annual run-rate.
pub const QUARTERS_PER_YEAR: f64 = 4.0;

/// Hours in an average calendar quarter (8,760 / 4). Used to turn MW of load into MWh.
pub const HOURS_PER_QUARTER: f64 = 2_190.0;

/// Seconds in an average calendar quarter.
pub const SECONDS_PER_QUARTER: f64 = HOURS_PER_QUARTER * 3_600.0;

/// MWh in one TWh.
pub const MWH_PER_TWH: f64 = 1.0e6;

/// Watts of electrical draw per MW.
pub const WATTS_PER_MW: f64 = 1.0e6;

/// How many whole accelerator units a block of `mw` of critical power can feed, given each
/// unit's draw in watts and the facility's power usage effectiveness (PUE). Facility power
/// covers cooling and losses, so each unit costs `watts × pue` of grid capacity.
pub fn units_powered_by(mw: f64, watts_per_unit: f64, pue: f64) -> f64 {
    if mw <= 0.0 || watts_per_unit <= 0.0 || pue <= 0.0 {
        return 0.0;
    }
    (mw * WATTS_PER_MW / (watts_per_unit * pue)).floor()
}

/// Grid MW drawn by `units` accelerators of `watts_per_unit` each in a facility with `pue`.
pub fn mw_drawn_by(units: f64, watts_per_unit: f64, pue: f64) -> f64 {
    units * watts_per_unit * pue / WATTS_PER_MW
}

/// Compute that one grid MW powers with accelerators of `h100e_per_unit` and
/// `watts_per_unit` each (whole units), H100e: what a site's power is worth in
/// compute, by generation.
pub fn h100e_per_mw(h100e_per_unit: f64, watts_per_unit: f64, pue: f64) -> f64 {
    units_powered_by(1.0, watts_per_unit, pue) * h100e_per_unit
}

/// Headroom of a lab's existing site over the power its fleet draws at the start.
pub const INITIAL_SITE_HEADROOM: f64 = 1.05;

/// MW of the site that hosts a lab's starting fleet of `online_h100e`.
pub fn initial_site_mw(
    online_h100e: f64,
    h100e_per_unit: f64,
    watts_per_unit: f64,
    pue: f64,
) -> f64 {
    let units = (online_h100e / h100e_per_unit).ceil();
    mw_drawn_by(units, watts_per_unit, pue) * INITIAL_SITE_HEADROOM
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_megawatt_feeds_about_a_thousand_h100s_at_hyperscale_pue() {
        // 1 MW / (700 W × 1.3) = 1,098.9 → 1,098 whole units.
        assert!((units_powered_by(1.0, 700.0, 1.3) - 1_098.0).abs() < 1e-9);
        let back = mw_drawn_by(1_098.0, 700.0, 1.3);
        assert!(back <= 1.0 && back > 0.999);
    }

    #[test]
    fn no_power_feeds_nothing() {
        assert!(units_powered_by(0.0, 700.0, 1.3).abs() < f64::EPSILON);
        assert!(units_powered_by(5.0, 0.0, 1.3).abs() < f64::EPSILON);
    }
}
