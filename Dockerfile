# Bayboard server image. Build: docker build -t bayboard .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/bayboard .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bayboard /bayboard
ENV BAYBOARD_ADDR=:8080 BAYBOARD_ENV=production
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/bayboard"]
CMD ["serve"]
