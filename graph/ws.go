package graph

import (
	"context"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"

	"bayboard/shop"
	"bayboard/store"
)

// newWebsocket returns gqlgen's websocket transport (coder/websocket, both
// graphql-transport-ws and legacy graphql-ws), authenticating in
// connection_init.
func newWebsocket(db *store.DB, opts Options) transport.Websocket {
	return transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{
			OriginPatterns: opts.WebsocketOrigins,
		}},
		InitTimeout:           opts.WebsocketInitTimeout,
		KeepAlivePingInterval: 10 * time.Second,
		PingPongInterval:      opts.WebsocketPingInterval,
		PayloadReadLimit:      &opts.WebsocketReadLimit,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			if a := shop.ActorFromContext(ctx); a != nil {
				return ctx, nil, nil // authenticated by the upgrade request's header
			}
			token := p.Authorization()
			if token == "" {
				if t, ok := p["token"].(string); ok {
					token = t
				}
			}
			token = strings.TrimPrefix(token, "Bearer ")
			if token == "" {
				return ctx, nil, shop.Errorf(shop.EUNAUTHENTICATED, "Send a bearer token in connection_init: {\"Authorization\": \"Bearer <token>\"}.")
			}
			a, err := db.FindActorByToken(ctx, token)
			if err != nil {
				return ctx, nil, err
			}
			return shop.NewContextWithActor(ctx, a), nil, nil
		},
	}
}
