//! The power market: each region's interconnection queue.
//!
//! Rule: data-center projects (and aggregate buyers whose fleets outgrow
//! their grid's room) wait in a first-come, first-served queue. A request can
//! be decided only after it has spent `min_study_quarters` in the queue
//! (system-impact studies take time). Each quarter the utility studies at
//! most `max_studies` of the requests that are ready, from the head of the
//! queue. A studied request is granted if its MW fit in the spare capacity
//! the utility can still commit and the tariff is within the requester's
//! maximum price; otherwise it stays in the queue, in place. Granted MW never
//! exceed the spare capacity offered.

#[derive(Debug, Clone, PartialEq)]
pub struct InterconnectionRequest {
    /// A project's id, or an aggregate buyer's agent id for its fleet's growth.
    pub request_id: u64,
    pub mw: f64,
    pub max_price_per_mwh: f64,
    /// The tick the request joined the queue; requests are ordered by it, then id.
    pub arrival_tick: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PowerOffer {
    /// MW the utility can still commit without breaching its minimum reserve.
    pub spare_mw: f64,
    pub tariff_per_mwh: f64,
    /// Requests the utility can study this quarter.
    pub max_studies: usize,
    /// The current tick and the quarters a request must wait before a decision.
    pub tick: u32,
    pub min_study_quarters: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PowerClearing {
    /// Indices (into the queue as passed) of granted requests.
    pub granted: Vec<usize>,
    pub granted_mw: f64,
    pub requested_mw: f64,
    pub studied: usize,
    pub tariff_per_mwh: f64,
}

/// `queue` must already be in queue order (arrival tick, then project id).
pub fn process_interconnection_queue(
    queue: &[InterconnectionRequest],
    offer: &PowerOffer,
) -> PowerClearing {
    let mut spare = offer.spare_mw.max(0.0);
    let mut granted = Vec::new();
    let mut granted_mw = 0.0;
    let mut studied = 0;
    for (index, request) in queue.iter().enumerate() {
        if studied >= offer.max_studies {
            break;
        }
        if request.arrival_tick + offer.min_study_quarters > offer.tick {
            continue;
        }
        studied += 1;
        if request.mw <= spare && offer.tariff_per_mwh <= request.max_price_per_mwh {
            spare -= request.mw;
            granted_mw += request.mw;
            granted.push(index);
        }
    }
    PowerClearing {
        granted,
        granted_mw,
        requested_mw: queue.iter().map(|r| r.mw).sum(),
        studied,
        tariff_per_mwh: offer.tariff_per_mwh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_queue_is_first_come_first_served_within_the_study_limit() {
        let queue: Vec<_> = (0..4)
            .map(|i| InterconnectionRequest {
                request_id: i,
                mw: 100.0,
                max_price_per_mwh: 200.0,
                arrival_tick: 0,
            })
            .collect();
        let offer = PowerOffer {
            spare_mw: 1_000.0,
            tariff_per_mwh: 80.0,
            max_studies: 2,
            tick: 0,
            min_study_quarters: 0,
        };
        let clearing = process_interconnection_queue(&queue, &offer);
        assert_eq!(clearing.granted, vec![0, 1]);
    }

    #[test]
    fn a_request_too_big_for_spare_capacity_waits() {
        let queue = vec![
            InterconnectionRequest {
                request_id: 1,
                mw: 900.0,
                max_price_per_mwh: 200.0,
                arrival_tick: 0,
            },
            InterconnectionRequest {
                request_id: 2,
                mw: 100.0,
                max_price_per_mwh: 200.0,
                arrival_tick: 1,
            },
        ];
        let offer = PowerOffer {
            spare_mw: 500.0,
            tariff_per_mwh: 80.0,
            max_studies: 10,
            tick: 1,
            min_study_quarters: 0,
        };
        let clearing = process_interconnection_queue(&queue, &offer);
        assert_eq!(clearing.granted, vec![1]);
    }

    #[test]
    fn requests_are_not_decided_before_their_study_time() {
        let request = |request_id, arrival_tick| InterconnectionRequest {
            request_id,
            mw: 100.0,
            max_price_per_mwh: 200.0,
            arrival_tick,
        };
        let queue = vec![request(1, 2), request(2, 4)];
        let offer = PowerOffer {
            spare_mw: 1_000.0,
            tariff_per_mwh: 80.0,
            max_studies: 5,
            tick: 6,
            min_study_quarters: 4,
        };
        let clearing = process_interconnection_queue(&queue, &offer);
        assert_eq!(
            clearing.granted,
            vec![0],
            "the later request is still being studied"
        );
        assert_eq!(clearing.studied, 1);
    }

    proptest! {
        #[test]
        fn granted_mw_never_exceed_spare(
            sizes in proptest::collection::vec(1.0f64..2_000.0, 0..30),
            spare in 0.0f64..5_000.0,
            studies in 0usize..40,
        ) {
            let queue: Vec<_> = sizes.iter().enumerate().map(|(i, &mw)| InterconnectionRequest {
                request_id: i as u64, mw, max_price_per_mwh: 150.0, arrival_tick: 0,
            }).collect();
            let offer = PowerOffer {
                spare_mw: spare,
                tariff_per_mwh: 90.0,
                max_studies: studies,
                tick: 0,
                min_study_quarters: 0,
            };
            let clearing = process_interconnection_queue(&queue, &offer);
            prop_assert!(clearing.granted_mw <= spare + 1e-9);
            prop_assert!(clearing.granted.len() <= studies);
            prop_assert!(clearing.studied <= studies);
        }
    }
}
