package ginsession

import (
	"context"

	"github.com/gin-gonic/gin"
)

// chain is one request's passage through Middleware.
type chain struct {
	c      *gin.Context
	called bool // mw called its next handler
}

// chainKey finds the chain in the request context mw passes on.
type chainKey struct{}

func withChain(ctx context.Context, c *chain) context.Context {
	return context.WithValue(ctx, chainKey{}, c)
}

func chainFrom(ctx context.Context) *chain { return ctx.Value(chainKey{}).(*chain) }
