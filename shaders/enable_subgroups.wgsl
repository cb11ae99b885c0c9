// Compiled first in the quad variant of the fast matmul (shaders/matmul_quad.wgsl): WGSL's subgroup
// operations, here quadBroadcast, exist only where the adapter has the 'subgroups' feature and the
// module enables it before anything else.
enable subgroups;
