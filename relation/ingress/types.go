package ingress

// Request is what a requirer of the ingress v2 interface asks for, decoded
// from its application databag.
type Request struct {
	Model, Name   string
	Port          int
	StripPrefix   bool
	RedirectHTTPS bool
	Scheme        string
}

// ParseAppData decodes and validates a requirer's application databag.
func ParseAppData(bag map[string]string) (*Request, error) {
	return parseAppData(bag)
}
