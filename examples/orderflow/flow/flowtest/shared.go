package flowtest

import "maps"

// Variables returns the PATCHBAY_* variables that point a flowenv
// configuration at the sandboxes running here, with their credentials:
// other processes (workers, a starter, a program in any language) then
// share these sandboxes as they would real accounts.
func (e *Env) Variables() map[string]string {
	return maps.Clone(e.shared)
}

// share records variables for Variables, as name, value pairs.
func (e *Env) share(nameValue ...string) {
	if e.shared == nil {
		e.shared = map[string]string{}
	}
	for i := 0; i+1 < len(nameValue); i += 2 {
		e.shared[nameValue[i]] = nameValue[i+1]
	}
}
