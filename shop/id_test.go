package shop_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"strconv"
	"strings"
	"testing"

	"bayboard/shop"
)

// raw encodes s the way a client could forge an ID.
func raw(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestGlobalID(t *testing.T) {
	t.Run("Format", func(t *testing.T) {
		// base64url("Job:42"): the format clients may have stored.
		if got, want := shop.GlobalID(shop.TypeJob, 42), "Sm9iOjQy"; got != want {
			t.Fatalf("id=%q, want %q", got, want)
		}
	})

	t.Run("OK", func(t *testing.T) {
		for _, typ := range []string{shop.TypeSite, shop.TypeUser, shop.TypeBay, shop.TypeCustomer,
			shop.TypeVehicle, shop.TypeAppointment, shop.TypeVisit, shop.TypeOrder, shop.TypeJob,
			shop.TypePartLine, shop.TypePart, shop.TypeAdditionalWork, shop.TypeCheck,
			shop.TypeSettlement, shop.TypeEvent} {
			for _, n := range []int64{1, 42, 1 << 40, 9223372036854775807} {
				t.Run(typ+"/"+strconv.FormatInt(n, 10), func(t *testing.T) {
					id := shop.GlobalID(typ, n)
					if strings.ContainsAny(id, "+/=") {
						t.Fatalf("id=%q, want URL-safe without padding", id)
					}
					gotTyp, gotN, err := shop.ParseGlobalID(id)
					if err != nil {
						t.Fatalf("err=%v, want nil", err)
					}
					if gotTyp != typ || gotN != n {
						t.Fatalf("parsed=%s:%d, want %s:%d", gotTyp, gotN, typ, n)
					}
				})
			}
		}
	})

	t.Run("OKPadded", func(t *testing.T) {
		// "Job:4" has 5 bytes: some clients add the standard padding.
		typ, n, err := shop.ParseGlobalID(raw("Job:4") + "=")
		if err != nil || typ != "Job" || n != 4 {
			t.Fatalf("parsed=%s:%d (%v), want Job:4", typ, n, err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct{ name, in string }{
			{"Empty", ""},
			{"Garbage", "!!!!"},
			{"NotBase64", "Job:42"},
			{"StdAlphabet", "+/+/"},
			{"NoColon", raw("Job42")},
			{"NoType", raw(":42")},
			{"NoNumber", raw("Job:")},
			{"Zero", raw("Job:0")},
			{"Negative", raw("Job:-1")},
			{"LeadingZeros", raw("Job:007")},
			{"PlusSign", raw("Job:+7")},
			{"Space", raw("Job: 7")},
			{"Letters", raw("Job:abc")},
			{"TwoColons", raw("Job:1:2")},
			{"Overflow", raw("Job:9223372036854775808")},
			{"Overlong", strings.Repeat("A", 65)},
			{"OverlongValid", shop.GlobalID(strings.Repeat("Job", 20), 1)},
		} {
			t.Run(tt.name, func(t *testing.T) {
				typ, n, err := shop.ParseGlobalID(tt.in)
				if code := shop.ErrorCode(err); code != shop.EINVALID {
					t.Fatalf("code=%q, want %q (parsed %s:%d)", code, shop.EINVALID, typ, n)
				}
				if typ != "" || n != 0 {
					t.Fatalf("parsed=%s:%d, want nothing", typ, n)
				}
			})
		}
	})
}

func TestParseTypedID(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		n, err := shop.ParseTypedID("orderId", shop.TypeOrder, shop.GlobalID(shop.TypeOrder, 17))
		if err != nil || n != 17 {
			t.Fatalf("id=%d (%v), want 17", n, err)
		}
	})
	t.Run("ErrWrongType", func(t *testing.T) {
		n, err := shop.ParseTypedID("orderId", shop.TypeOrder, shop.GlobalID(shop.TypeJob, 17))
		if code := shop.ErrorCode(err); code != shop.EINVALID {
			t.Fatalf("code=%q, want %q", code, shop.EINVALID)
		}
		if n != 0 {
			t.Fatalf("id=%d, want 0", n)
		}
		if f := shop.ErrorField(err); f != "orderId" {
			t.Fatalf("field=%q, want orderId", f)
		}
		if msg := shop.ErrorMessage(err); !strings.Contains(msg, "Job") || !strings.Contains(msg, "RepairOrder") {
			t.Fatalf("message=%q, want it to name both types", msg)
		}
	})
	t.Run("ErrGarbage", func(t *testing.T) {
		n, err := shop.ParseTypedID("jobId", shop.TypeJob, "not an id")
		if code := shop.ErrorCode(err); code != shop.EINVALID {
			t.Fatalf("code=%q, want %q", code, shop.EINVALID)
		}
		if n != 0 {
			t.Fatalf("id=%d, want 0", n)
		}
		if f := shop.ErrorField(err); f != "jobId" {
			t.Fatalf("field=%q, want jobId", f)
		}
	})
}

// unmarshal decodes v into a T through its UnmarshalGQL.
func unmarshal[T ~int64, P interface {
	*T
	UnmarshalGQL(any) error
}](v any) (int64, error) {
	var id T
	err := P(&id).UnmarshalGQL(v)
	return int64(id), err
}

func TestIDMarshalGQL(t *testing.T) {
	for _, tt := range []struct {
		typ       string
		id        interface{ MarshalGQL(io.Writer) }
		unmarshal func(any) (int64, error)
	}{
		{shop.TypeSite, shop.SiteID(7), unmarshal[shop.SiteID]},
		{shop.TypeUser, shop.UserID(7), unmarshal[shop.UserID]},
		{shop.TypeBay, shop.BayID(7), unmarshal[shop.BayID]},
		{shop.TypeCustomer, shop.CustomerID(7), unmarshal[shop.CustomerID]},
		{shop.TypeVehicle, shop.VehicleID(7), unmarshal[shop.VehicleID]},
		{shop.TypeAppointment, shop.AppointmentID(7), unmarshal[shop.AppointmentID]},
		{shop.TypeVisit, shop.VisitID(7), unmarshal[shop.VisitID]},
		{shop.TypeOrder, shop.OrderID(7), unmarshal[shop.OrderID]},
		{shop.TypeJob, shop.JobID(7), unmarshal[shop.JobID]},
		{shop.TypePartLine, shop.PartLineID(7), unmarshal[shop.PartLineID]},
		{shop.TypePart, shop.PartID(7), unmarshal[shop.PartID]},
		{shop.TypeAdditionalWork, shop.AdditionalWorkID(7), unmarshal[shop.AdditionalWorkID]},
		{shop.TypeCheck, shop.CheckID(7), unmarshal[shop.CheckID]},
		{shop.TypeSettlement, shop.SettlementID(7), unmarshal[shop.SettlementID]},
		{shop.TypeEvent, shop.EventID(7), unmarshal[shop.EventID]},
	} {
		t.Run(tt.typ, func(t *testing.T) {
			var b bytes.Buffer
			tt.id.MarshalGQL(&b)
			want := strconv.Quote(raw(tt.typ + ":7"))
			if got := b.String(); got != want {
				t.Fatalf("marshalled=%s, want %s", got, want)
			}
			s, err := strconv.Unquote(b.String())
			if err != nil {
				t.Fatal(err)
			}
			if n, err := tt.unmarshal(s); err != nil || n != 7 {
				t.Fatalf("unmarshalled=%d (%v), want 7", n, err)
			}
		})
	}
}

func TestJobID_UnmarshalGQL(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var id shop.JobID
		if err := id.UnmarshalGQL("Sm9iOjQy"); err != nil || id != 42 {
			t.Fatalf("id=%d (%v), want 42", id, err)
		}
	})
	for _, tt := range []struct {
		name string
		in   any
	}{
		{"ErrWrongType", shop.GlobalID(shop.TypeOrder, 42)},
		{"ErrNotString", 42},
		{"ErrNil", nil},
		{"ErrGarbage", "%%%"},
		{"ErrZero", raw("Job:0")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := shop.JobID(99)
			err := id.UnmarshalGQL(tt.in)
			if code := shop.ErrorCode(err); code != shop.EINVALID {
				t.Fatalf("code=%q, want %q", code, shop.EINVALID)
			}
			if id != 0 {
				t.Fatalf("id=%d, want 0", id)
			}
		})
	}
}
