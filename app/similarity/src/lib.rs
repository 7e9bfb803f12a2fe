//! Plagiarism detection without an external tool: solutions are tokenised with tree-sitter
//! grammars (`tokens`), every pair is screened by winnowing fingerprints (`winnowing`), and the
//! likely pairs are compared exactly by greedy string tiling (`tiling`); `compare` runs a task.
//!
//! Why both: tiling gives the similarity staff judge by and the matched regions they look at,
//! but costs a fraction of a millisecond per pair, and a task of 1,000 students has half a
//! million pairs. Fingerprints cost next to nothing per pair and, with runs as short as the
//! tiling's minimum match, miss no pair that tiling would report high.

pub mod compare;
pub mod tiling;
pub mod tokens;
pub mod winnowing;

pub use compare::{Cluster, Error, File, Options, Pair, Progress, Region, Report, Stage, compare};
pub use tokens::{Language, Span};
