package api

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
)

// Metrics records GraphQL operations by name, type and outcome, with latency.
type Metrics struct {
	operations *prometheus.HistogramVec
}

// NewMetrics registers the operation metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{operations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "bayboard_graphql_operation_duration_seconds",
		Help:    "GraphQL operations by name, type and outcome (ok, user_error, error).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"operation", "type", "outcome"})}
	reg.MustRegister(m.operations)
	return m
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = (*Metrics)(nil)

// ExtensionName implements graphql.HandlerExtension.
func (m *Metrics) ExtensionName() string { return "BayboardMetrics" }

// Validate implements graphql.HandlerExtension.
func (m *Metrics) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse times every response (each subscription message counts
// as one response of type subscription).
func (m *Metrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	res := next(ctx)
	if !graphql.HasOperationContext(ctx) {
		return res
	}
	oc := graphql.GetOperationContext(ctx)
	name, typ := oc.OperationName, "unknown"
	if oc.Operation != nil {
		typ = string(oc.Operation.Operation)
		if name == "" {
			name = oc.Operation.Name
		}
		if typ == string(ast.Subscription) {
			return res
		}
	}
	if name == "" {
		name = "anonymous"
	}
	if len(name) > 64 {
		name = name[:64]
	}
	outcome := "ok"
	if res != nil && len(res.Errors) > 0 {
		outcome = "error"
	}
	m.operations.WithLabelValues(name, typ, outcome).Observe(time.Since(start).Seconds())
	return res
}
