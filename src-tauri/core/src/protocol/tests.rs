//! Tests of the order of precedence.
