//! Networking sold with accelerators: the switches, NICs, cables and optics a
//! cluster needs around its accelerators.
//!
//! Rule: every accelerator a buyer takes comes with the networking that
//! connects it, priced as a fixed share of what the buyer pays for the system.
//! NVIDIA reports that share (networking was 8.5–14% of its data-centre
//! revenue through FY2025, 11.3% over the year), and it is the only
//! published split of accelerator spend between compute and the fabric, so
//! the same share prices the networking around every accelerator: a buyer of
//! another maker's chips buys its fabric from switch makers instead.
//!
//! With `s` the networking share of the system's price and `ask` the
//! accelerator's price, the system costs `ask / (1 − s)`, of which
//! `ask × s / (1 − s)` is networking. What networking costs its seller to
//! make scales the same way from the accelerator's cost: the fabric is sold
//! at the accelerator's margin (NVIDIA does not report the two margins
//! apart).

/// Networking bought per dollar of accelerator: `s / (1 − s)` for a
/// networking share `s` of the system's price. The share is clamped to
/// `[0, 0.95]`, so the ratio stays finite.
pub fn attach_ratio(networking_share: f64) -> f64 {
    let share = if networking_share.is_finite() {
        networking_share.clamp(0.0, 0.95)
    } else {
        0.0
    };
    share / (1.0 - share)
}

/// One accelerator with its networking, as its buyer pays for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SystemPrice {
    /// The accelerator's price (the chipmaker's ask).
    pub accelerator_usd: f64,
    /// The networking that comes with it.
    pub networking_usd: f64,
}

impl SystemPrice {
    /// The system for an accelerator at `ask`, with a networking share
    /// `networking_share` of the whole.
    pub fn of(ask_usd: f64, networking_share: f64) -> Self {
        Self {
            accelerator_usd: ask_usd,
            networking_usd: ask_usd * attach_ratio(networking_share),
        }
    }

    /// What the buyer pays for the accelerator and its networking.
    pub fn total_usd(&self) -> f64 {
        self.accelerator_usd + self.networking_usd
    }
}

/// The networking part of `paid` for systems whose networking share is
/// `networking_share`: what goes to the fabric's seller.
pub fn networking_part(paid_usd: f64, networking_share: f64) -> f64 {
    let ratio = attach_ratio(networking_share);
    paid_usd * ratio / (1.0 + ratio)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nvidias_share_prices_the_fabric() {
        // FY2025: $12.99B of networking in $115.19B of data-centre revenue.
        let share = 12.99 / 115.19;
        let system = SystemPrice::of(40_000.0, share);
        assert!((system.networking_usd / system.total_usd() - share).abs() < 1e-12);
        assert!((system.networking_usd - 40_000.0 * share / (1.0 - share)).abs() < 1e-9);
    }

    #[test]
    fn no_share_adds_nothing_and_no_input_is_infinite() {
        assert!(SystemPrice::of(30_000.0, 0.0).networking_usd.abs() < f64::MIN_POSITIVE);
        for share in [f64::NAN, f64::INFINITY, -1.0, 1.0, 2.0] {
            assert!(attach_ratio(share).is_finite());
            assert!(networking_part(1e9, share).is_finite());
        }
    }

    proptest! {
        /// The networking share of what a buyer pays is the share asked for,
        /// and the system's price is the accelerator's plus its networking.
        #[test]
        fn the_share_of_the_price_is_the_networking_share(
            ask in 0.0f64..200_000.0, share in 0.0f64..0.9,
        ) {
            let system = SystemPrice::of(ask, share);
            prop_assert!((system.total_usd() - system.accelerator_usd - system.networking_usd).abs() <= 1e-9);
            if system.total_usd() > 0.0 {
                prop_assert!((system.networking_usd / system.total_usd() - share).abs() <= 1e-9);
            }
            // Splitting what was paid gives the fabric back exactly.
            prop_assert!((networking_part(system.total_usd(), share) - system.networking_usd).abs()
                <= 1e-9 * (1.0 + system.total_usd()));
        }

        /// More networking per system and a dearer accelerator each cost the
        /// buyer more, never less.
        #[test]
        fn the_system_price_rises_with_the_ask_and_the_share(
            ask in 0.0f64..200_000.0, more in 0.0f64..50_000.0,
            share in 0.0f64..0.9, extra in 0.0f64..0.05,
        ) {
            let base = SystemPrice::of(ask, share);
            prop_assert!(SystemPrice::of(ask + more, share).total_usd() >= base.total_usd());
            prop_assert!(SystemPrice::of(ask, share + extra).total_usd() >= base.total_usd());
            prop_assert!(base.networking_usd >= 0.0);
        }
    }
}
