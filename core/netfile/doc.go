// Package netfile writes a trained network to a file and reads it back, so that a run
// kept from the page loads again on the command line and the other way round.
//
// A file holds the network's nn.Config, every parameter in PyTorch's names, shapes and
// element order (the fixed feedback matrices included), and a little metadata about
// the run (Meta). Values are always stored as float32, the precision the browser
// trains in; reading into a float64 network converts them exactly.
//
// # Format, version 1
//
// All integers are little-endian. FORMAT.md beside this file is the full description.
//
//	offset  size  content
//	0       6     magic "LWFNET"
//	6       1     format version, 1
//	7       4     header length H (uint32), at most 1 MiB
//	11      H     header: one JSON object {"config": …, "meta": …, "tensors": […]}
//	11+H    4·N   the tensors' values, float32, in the order the header lists them,
//	              each in PyTorch's row-major order over its shape
//	end−4   4     CRC-32 (IEEE) of every byte before it
//
// The header's "config" names every nn.Config field with strings for the mode,
// activations and loss; "tensors" lists each tensor's name, shape and dtype ("f32").
//
// # Checks
//
// Read trusts nothing it reads: it checks the magic, the version, the header's length
// against a fixed cap before reading it, the JSON, the config (with nn's own checks),
// the tensor list against the tensors the config implies (names, shapes, none missing
// and none extra), the data's length, the checksum, that nothing follows it, and that
// every value is finite. It allocates for the network only after the file has
// supplied all of its values, so a short file cannot make it allocate much: memory is
// bounded by a small multiple of the input's size. Every failure is an error that
// starts with "netfile: "; Read never panics.
//
// The file holds the network, not the optimiser's state (momenta, Adam's moments) nor
// the position of the dropout stream: training a loaded network starts a new
// optimiser.
package netfile
