package grpctest

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/sessiongen/sessiongen/internal/testlog"
	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/session"
)

// sessions is the interceptor: what an application writes once for all its
// gRPC methods.
func sessions(m testvisitor.Manager) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		ctx, err := m.LoadHeader(ctx, http.Header{"Cookie": md.Get("cookie")})
		if err != nil {
			return nil, status.Error(codes.Unavailable, "session store unavailable")
		}
		resp, err := handler(ctx, req)
		if err != nil {
			return nil, err
		}
		s := m.From(ctx)
		if err := s.Commit(ctx); err != nil {
			if errors.Is(err, session.ErrUnavailable) {
				return nil, status.Error(codes.Unavailable, "session store unavailable")
			}
			return nil, status.Error(codes.Internal, "session not saved")
		}
		if c := s.Cookie(); c != nil {
			if err := grpc.SetHeader(ctx, metadata.Pairs("set-cookie", c.String())); err != nil {
				return nil, err
			}
		}
		return resp, nil
	}
}

// cartServer is the service: Add puts an item in the session's cart and
// returns the cart's length. It is declared by hand (no protoc): one unary
// method over well-known wrapper messages.
type cartServer struct{ m testvisitor.Manager }

func (c cartServer) add(ctx context.Context, item *wrapperspb.StringValue) (*wrapperspb.Int64Value, error) {
	s := c.m.From(ctx)
	err := s.Update(ctx, func(v *testvisitor.Visitor) error {
		v.Cart = append(v.Cart, item.Value)
		return nil
	})
	if err != nil {
		return nil, status.Error(codes.Aborted, "cart not updated")
	}
	return wrapperspb.Int64(int64(len(s.Cart()))), nil
}

var cartService = grpc.ServiceDesc{
	ServiceName: "sessiongen.test.Cart",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Add",
		Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.StringValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/sessiongen.test.Cart/Add"}
			return interceptor(ctx, in, info, func(ctx context.Context, req any) (any, error) {
				return srv.(cartServer).add(ctx, req.(*wrapperspb.StringValue))
			})
		},
	}},
}

// TestInterceptorOverAConnection: gRPC calls over an in-process connection
// create a session (set-cookie in the response header), see it on the next
// call with the cookie, keep changes made by the browser's HTTP requests
// meanwhile, and after a logout get a fresh session rather than the old one.
func TestInterceptorOverAConnection(t *testing.T) {
	m := testvisitor.NewManager(memstore.New())
	var logs testlog.Buffer
	m.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(grpc.UnaryInterceptor(sessions(m)))
	srv.RegisterService(&cartService, cartServer{m})
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })

	// add calls Add with cookie (if any) and returns the cart length and the
	// set-cookie it got.
	add := func(cookie, item string) (int64, *http.Cookie) {
		t.Helper()
		ctx := t.Context()
		if cookie != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "cookie", cookie)
		}
		var header metadata.MD
		out := new(wrapperspb.Int64Value)
		if err := conn.Invoke(ctx, "/sessiongen.test.Cart/Add", wrapperspb.String(item), out, grpc.Header(&header)); err != nil {
			t.Fatalf("Add(%s): %v", item, err)
		}
		var set *http.Cookie
		if v := header.Get("set-cookie"); len(v) == 1 {
			set, err = http.ParseSetCookie(v[0])
			if err != nil {
				t.Fatal(err)
			}
		}
		return out.Value, set
	}

	n, set := add("", "tea")
	if n != 1 || set == nil || set.Name != "__Host-session" || set.Value == "" || !set.HttpOnly || !set.Secure {
		t.Fatalf("first call: cart %d, set-cookie %v; want 1 and the session cookie", n, set)
	}
	token := set.Value
	cookie := "other=1; __Host-session=" + token
	if n, set := add(cookie, "mug"); n != 2 || set != nil {
		t.Fatalf("second call with the cookie: cart %d, set-cookie %v; want 2 and none", n, set)
	}

	// The browser changes the same session over HTTP at the same time: the
	// interceptor's commits merge with it.
	app := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := m.From(r.Context()).Update(r.Context(), func(v *testvisitor.Visitor) error { v.Count++; return nil }); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
		}
	}))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, "https://example.com/", nil)
			req.Header.Set("Cookie", "__Host-session="+token)
			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Errorf("HTTP request: %d %s", rec.Code, rec.Body)
			}
		})
	}
	for i := range 4 {
		if n, _ := add(cookie, "item"); n != int64(3+i) {
			t.Errorf("call %d: cart %d, want %d", i, n, 3+i)
		}
	}
	wg.Wait()
	ctx, err := m.Load(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	s := m.From(ctx)
	if len(s.Cart()) != 6 || s.Value().Count != 4 {
		t.Fatalf("after 4 gRPC adds and 4 HTTP increments: cart %v, count %d; want 6 items and 4", s.Cart(), s.Value().Count)
	}

	// Logout wins: a call with the old cookie does not see the old cart, and
	// is sent a new session.
	if err := s.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	n, set = add(cookie, "after")
	if n != 1 || set == nil || set.Value == token || set.Value == "" {
		t.Fatalf("after logout: cart %d, set-cookie %v; want a fresh session of 1 item under a new token", n, set)
	}
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), set.Value) {
		t.Fatal("a token reached the log")
	}
}
