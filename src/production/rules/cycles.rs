//! A line's own rate for a product: the ideal cycle a line makes a product at where it differs from the product's own
//! (a manual bench assembling by hand what a press stamps in a second). Every figure of that line reads it.

use serde::{Deserialize, Serialize};

use super::settings::{done, seconds_ms};
use crate::codes::FieldError;
use crate::ids::{LineId, ProductId};

/// A product's ideal cycle on one line, where the line makes it at another rate than the product's own (a manual
/// assembly line making what a press stamps); 0 seconds removes it (the product's own rate applies again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineCycleInput {
    pub line_id: LineId,
    pub product_id: ProductId,
    /// Seconds per unit at the ideal rate on this line; 0 removes the line's own rate.
    pub ideal_cycle_s: f64,
}

/// A line's own rate for a product: the cycle in milliseconds (from 1 ms to a day), none when 0 seconds removes it.
pub fn check_line_cycle(c: &LineCycleInput) -> Result<Option<i32>, Vec<FieldError>> {
    if c.ideal_cycle_s == 0.0 {
        return Ok(None);
    }
    let mut e = Vec::new();
    let cycle = seconds_ms("ideal_cycle_s", c.ideal_cycle_s, 1, 86_400_000, &mut e);
    done(Some(cycle), e)
}

/// A product's ideal cycle on a line that makes it at its own rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineCycleSetting {
    pub line_id: LineId,
    pub product_id: ProductId,
    pub ideal_cycle_s: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lines_own_rate_is_a_day_at_most_and_0_removes_it() {
        let c = LineCycleInput { line_id: LineId(1), product_id: ProductId(2), ideal_cycle_s: 240.0 };
        assert_eq!(check_line_cycle(&c), Ok(Some(240_000)));
        assert_eq!(check_line_cycle(&LineCycleInput { ideal_cycle_s: 0.0, ..c.clone() }), Ok(None));
        for bad in [-1.0, 0.0004, 86_401.0, f64::NAN] {
            let e = check_line_cycle(&LineCycleInput { ideal_cycle_s: bad, ..c.clone() }).unwrap_err();
            assert_eq!(e.into_iter().map(|f| f.field).collect::<Vec<_>>(), ["ideal_cycle_s"], "{bad}");
        }
    }
}
