//! The billing period the PSA profiles of this family judge lines against.

use jiff::civil::Date;

use crate::profiles::Context;

/// The billing period's first and last day.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub start: Date,
    pub end: Date,
}

impl Period {
    pub fn of(context: &Context) -> Period {
        Period {
            start: context.period_start,
            end: context.period_end,
        }
    }

    pub fn contains(self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }
}
