//! Tests of the seating proposals.
