//! Pro-rata rationing, shared by the markets that ration at the margin.

/// Splits `available` whole units across `requests` in proportion to their size
/// (largest-remainder method). When there is enough for everyone each request is
/// filled in full. Ties in the remainder go to the earlier request, which is why
/// callers order requests by bidder id.
///
/// Guarantees: each fill ≤ its request; the fills sum to
/// `min(available, Σ requests)`.
pub fn pro_rata_units(requests: &[u64], available: u64) -> Vec<u64> {
    let total: u128 = requests.iter().map(|&r| u128::from(r)).sum();
    if total <= u128::from(available) {
        return requests.to_vec();
    }
    let available_wide = u128::from(available);
    let mut fills: Vec<u64> = Vec::with_capacity(requests.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(requests.len());
    for (index, &request) in requests.iter().enumerate() {
        let exact = u128::from(request) * available_wide;
        let floor = exact / total;
        fills.push(u64::try_from(floor).unwrap_or(u64::MAX));
        remainders.push((exact % total, index));
    }
    let assigned: u128 = fills.iter().map(|&f| u128::from(f)).sum();
    let mut left = available_wide - assigned;
    // Largest remainder first; equal remainders keep request order.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, index) in remainders {
        if left == 0 {
            break;
        }
        if fills[index] < requests[index] {
            fills[index] += 1;
            left -= 1;
        }
    }
    fills
}

/// Splits a divisible quantity `available` across `requests` in proportion to
/// their size. Each fill ≤ its request and the fills sum to
/// `min(available, Σ requests)` up to rounding.
pub fn pro_rata_continuous(requests: &[f64], available: f64) -> Vec<f64> {
    let total: f64 = requests.iter().map(|r| r.max(0.0)).sum();
    if total <= available.max(0.0) {
        return requests.iter().map(|r| r.max(0.0)).collect();
    }
    let ratio = available.max(0.0) / total;
    requests.iter().map(|r| r.max(0.0) * ratio).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn enough_for_everyone_fills_in_full() {
        assert_eq!(pro_rata_units(&[3, 4], 10), vec![3, 4]);
    }

    #[test]
    fn scarce_units_split_by_size_with_ties_to_the_first() {
        assert_eq!(pro_rata_units(&[1, 1, 1], 2), vec![1, 1, 0]);
        assert_eq!(pro_rata_units(&[30, 10], 20), vec![15, 5]);
    }

    proptest! {
        #[test]
        fn unit_fills_conserve_and_never_exceed_requests(
            requests in proptest::collection::vec(0u64..1_000_000, 0..20),
            available in 0u64..5_000_000,
        ) {
            let fills = pro_rata_units(&requests, available);
            let total_requested: u64 = requests.iter().sum();
            prop_assert_eq!(fills.iter().sum::<u64>(), total_requested.min(available));
            for (fill, request) in fills.iter().zip(&requests) {
                prop_assert!(fill <= request);
            }
            prop_assert_eq!(fills, pro_rata_units(&requests, available));
        }

        #[test]
        fn continuous_fills_conserve(
            requests in proptest::collection::vec(0.0f64..1e6, 0..20),
            available in 0.0f64..5e6,
        ) {
            let fills = pro_rata_continuous(&requests, available);
            let total: f64 = requests.iter().sum();
            let filled: f64 = fills.iter().sum();
            prop_assert!((filled - total.min(available)).abs() <= 1e-6 * (1.0 + total));
            for (fill, request) in fills.iter().zip(&requests) {
                prop_assert!(*fill <= *request + 1e-9 && *fill >= 0.0);
            }
        }
    }
}
