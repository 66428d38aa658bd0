package ingress

import "errors"

// parseAppData is replaced by the full decoder; this placeholder lets callers
// compile against ParseAppData.
func parseAppData(bag map[string]string) (*Request, error) {
	return nil, errors.New("ingress: app data decoding not implemented yet")
}
