//! Shared by the fuzz targets: the invariants every input must keep.

pub mod invariants;
