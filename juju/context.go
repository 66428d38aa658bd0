package juju

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// RelationID names one relation: the local endpoint and Juju's relation id.
type RelationID struct {
	Endpoint string
	ID       int
}

// String returns "endpoint:ID", the form Juju prints and accepts for -r.
func (r RelationID) String() string { return r.Endpoint + ":" + strconv.Itoa(r.ID) }

// ParseRelationID parses "endpoint:N" (as printed by relation-ids and set in
// JUJU_RELATION_ID). Like Juju, it takes the id from after the last colon.
func ParseRelationID(s string) (RelationID, error) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return RelationID{}, fmt.Errorf("relation id %q: want endpoint:N", s)
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n < 0 {
		return RelationID{}, fmt.Errorf("relation id %q: want endpoint:N with N a non-negative integer", s)
	}
	return RelationID{Endpoint: s[:i], ID: n}, nil
}

// Context is what Juju tells a hook through its environment (JUJU_*).
// Fields of variables Juju did not set are empty.
type Context struct {
	Unit         string // JUJU_UNIT_NAME, e.g. "istio-ingress-k8s/0"
	App          string // application part of Unit
	ModelName    string // JUJU_MODEL_NAME
	ModelUUID    string // JUJU_MODEL_UUID
	CharmDir     string // JUJU_CHARM_DIR, falling back to CHARM_DIR
	DispatchPath string // JUJU_DISPATCH_PATH: "hooks/<name>" or "actions/<name>"
	HookName     string // JUJU_HOOK_NAME; empty for actions
	Version      string // JUJU_VERSION, e.g. "3.6.4"

	// How hook tools reach the unit agent, and where the agent runs.
	ContextID          string   // JUJU_CONTEXT_ID
	AgentSocketAddress string   // JUJU_AGENT_SOCKET_ADDRESS
	AgentSocketNetwork string   // JUJU_AGENT_SOCKET_NETWORK
	APIAddresses       []string // JUJU_API_ADDRESSES, space-separated host:port
	MachineID          string   // JUJU_MACHINE_ID; empty on Kubernetes
	PrincipalUnit      string   // JUJU_PRINCIPAL_UNIT
	AvailabilityZone   string   // JUJU_AVAILABILITY_ZONE
	CloudAPIVersion    string   // CLOUD_API_VERSION
	SLA                string   // JUJU_SLA, on some Juju versions
	Proxy              Proxy    // JUJU_CHARM_*_PROXY

	// Tracing, when Juju traces the hook.
	TraceID    string // JUJU_TRACE_ID
	SpanID     string // JUJU_SPAN_ID
	TraceFlags string // JUJU_TRACE_FLAGS

	// juju debug-hooks / debug-code.
	Debug   bool   // JUJU_DEBUG set
	DebugAt string // JUJU_DEBUG_AT

	// Relation hooks.
	RelationEndpoint string      // JUJU_RELATION
	Relation         *RelationID // JUJU_RELATION_ID
	RemoteUnit       string      // JUJU_REMOTE_UNIT; empty for app-level changes, created and broken
	RemoteApp        string      // JUJU_REMOTE_APP
	DepartingUnit    string      // JUJU_DEPARTING_UNIT, on -relation-departed

	// Actions.
	ActionName string // JUJU_ACTION_NAME
	ActionUUID string // JUJU_ACTION_UUID
	ActionTag  string // JUJU_ACTION_TAG

	// Workload (Pebble) hooks.
	WorkloadName    string // JUJU_WORKLOAD_NAME: the container
	NoticeID        string // JUJU_NOTICE_ID
	NoticeType      string // JUJU_NOTICE_TYPE
	NoticeKey       string // JUJU_NOTICE_KEY
	PebbleCheckName string // JUJU_PEBBLE_CHECK_NAME

	// Secret hooks.
	SecretID       string // JUJU_SECRET_ID
	SecretLabel    string // JUJU_SECRET_LABEL
	SecretRevision int    // JUJU_SECRET_REVISION; 0 when unset

	// Storage hooks.
	StorageID       string // JUJU_STORAGE_ID, "name/N"
	StorageLocation string // JUJU_STORAGE_LOCATION
	StorageKind     string // JUJU_STORAGE_KIND
}

// Proxy is the model's proxy settings for the charm's own outbound traffic.
type Proxy struct {
	HTTP    string // JUJU_CHARM_HTTP_PROXY
	HTTPS   string // JUJU_CHARM_HTTPS_PROXY
	FTP     string // JUJU_CHARM_FTP_PROXY
	NoProxy string // JUJU_CHARM_NO_PROXY
}

// ContextFromEnv reads the hook environment through getenv (os.Getenv in
// production). A malformed variable is reported in the returned error, but
// the Context still holds every variable that did parse, so a hook can keep
// going and report the problem.
func ContextFromEnv(getenv func(string) string) (Context, error) {
	c := Context{
		Unit:         getenv("JUJU_UNIT_NAME"),
		ModelName:    getenv("JUJU_MODEL_NAME"),
		ModelUUID:    getenv("JUJU_MODEL_UUID"),
		CharmDir:     getenv("JUJU_CHARM_DIR"),
		DispatchPath: getenv("JUJU_DISPATCH_PATH"),
		HookName:     getenv("JUJU_HOOK_NAME"),
		Version:      getenv("JUJU_VERSION"),

		ContextID:          getenv("JUJU_CONTEXT_ID"),
		AgentSocketAddress: getenv("JUJU_AGENT_SOCKET_ADDRESS"),
		AgentSocketNetwork: getenv("JUJU_AGENT_SOCKET_NETWORK"),
		APIAddresses:       strings.Fields(getenv("JUJU_API_ADDRESSES")),
		MachineID:          getenv("JUJU_MACHINE_ID"),
		PrincipalUnit:      getenv("JUJU_PRINCIPAL_UNIT"),
		AvailabilityZone:   getenv("JUJU_AVAILABILITY_ZONE"),
		CloudAPIVersion:    getenv("CLOUD_API_VERSION"),
		SLA:                getenv("JUJU_SLA"),
		Proxy: Proxy{
			HTTP:    getenv("JUJU_CHARM_HTTP_PROXY"),
			HTTPS:   getenv("JUJU_CHARM_HTTPS_PROXY"),
			FTP:     getenv("JUJU_CHARM_FTP_PROXY"),
			NoProxy: getenv("JUJU_CHARM_NO_PROXY"),
		},
		TraceID:    getenv("JUJU_TRACE_ID"),
		SpanID:     getenv("JUJU_SPAN_ID"),
		TraceFlags: getenv("JUJU_TRACE_FLAGS"),
		Debug:      getenv("JUJU_DEBUG") != "",
		DebugAt:    getenv("JUJU_DEBUG_AT"),

		RelationEndpoint: getenv("JUJU_RELATION"),
		RemoteUnit:       getenv("JUJU_REMOTE_UNIT"),
		RemoteApp:        getenv("JUJU_REMOTE_APP"),
		DepartingUnit:    getenv("JUJU_DEPARTING_UNIT"),
		ActionName:       getenv("JUJU_ACTION_NAME"),
		ActionUUID:       getenv("JUJU_ACTION_UUID"),
		ActionTag:        getenv("JUJU_ACTION_TAG"),
		WorkloadName:     getenv("JUJU_WORKLOAD_NAME"),
		NoticeID:         getenv("JUJU_NOTICE_ID"),
		NoticeType:       getenv("JUJU_NOTICE_TYPE"),
		NoticeKey:        getenv("JUJU_NOTICE_KEY"),
		PebbleCheckName:  getenv("JUJU_PEBBLE_CHECK_NAME"),
		SecretID:         getenv("JUJU_SECRET_ID"),
		SecretLabel:      getenv("JUJU_SECRET_LABEL"),
		StorageID:        getenv("JUJU_STORAGE_ID"),
		StorageLocation:  getenv("JUJU_STORAGE_LOCATION"),
		StorageKind:      getenv("JUJU_STORAGE_KIND"),
	}
	if c.CharmDir == "" {
		c.CharmDir = getenv("CHARM_DIR")
	}
	var errs []error
	switch app, _, ok := strings.Cut(c.Unit, "/"); {
	case c.Unit == "":
		errs = append(errs, errors.New("JUJU_UNIT_NAME is not set"))
	case !ok || app == "":
		errs = append(errs, fmt.Errorf("JUJU_UNIT_NAME %q: want app/N", c.Unit))
	default:
		c.App = app
	}
	if v := getenv("JUJU_RELATION_ID"); v != "" {
		rel, err := parseEnvRelationID(v, c.RelationEndpoint)
		if err != nil {
			errs = append(errs, fmt.Errorf("JUJU_RELATION_ID: %w", err))
		} else {
			c.Relation = &rel
			if c.RelationEndpoint == "" {
				c.RelationEndpoint = rel.Endpoint
			}
		}
	}
	if v := getenv("JUJU_SECRET_REVISION"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("JUJU_SECRET_REVISION %q: want a non-negative integer", v))
		} else {
			c.SecretRevision = n
		}
	}
	return c, errors.Join(errs...)
}

// parseEnvRelationID accepts "endpoint:N" and, like Juju's -r, a bare "N"
// when the endpoint comes from JUJU_RELATION.
func parseEnvRelationID(v, endpoint string) (RelationID, error) {
	if !strings.Contains(v, ":") && endpoint != "" {
		v = endpoint + ":" + v
	}
	return ParseRelationID(v)
}
