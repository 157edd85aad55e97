/**
 * A small CRI definition shaped like Debian's api.proto (golang-github-kubernetes-cri-api-dev): the same
 * header with gogoproto's import and file options, and the Version messages with their real field names
 * and numbers. The services hold a few of the real methods, enough for a client to be built from it.
 */
export const CRI_PROTO_TEXT = `/*
Copyright 2018 The Kubernetes Authors.
*/

// To regenerate api.pb.go run \`hack/update-codegen.sh protobindings\`
syntax = "proto3";

package runtime.v1;
option go_package = "k8s.io/cri-api/pkg/apis/runtime/v1";

import "github.com/gogo/protobuf/gogoproto/gogo.proto";

option (gogoproto.goproto_stringer_all) = false;
option (gogoproto.stringer_all) =  true;
option (gogoproto.goproto_getters_all) = true;
option (gogoproto.marshaler_all) = true;
option (gogoproto.sizer_all) = true;
option (gogoproto.unmarshaler_all) = true;
option (gogoproto.goproto_unrecognized_all) = false;

// Runtime service defines the public APIs for remote container runtimes
service RuntimeService {
    // Version returns the runtime name, runtime version, and runtime API version.
    rpc Version(VersionRequest) returns (VersionResponse) {}
    rpc StopPodSandbox(StopPodSandboxRequest) returns (StopPodSandboxResponse) {}
}

// ImageService defines the public APIs for managing images.
service ImageService {
    // PullImage pulls an image with authentication config.
    rpc PullImage(PullImageRequest) returns (PullImageResponse) {}
}

message VersionRequest {
    // Version of the kubelet runtime API.
    string version = 1;
}

message VersionResponse {
    // Version of the kubelet runtime API.
    string version = 1;
    // Name of the container runtime.
    string runtime_name = 2;
    // Version of the container runtime. The string must be
    // semver-compatible.
    string runtime_version = 3;
    // API version of the container runtime. The string must be
    // semver-compatible.
    string runtime_api_version = 4;
}

message StopPodSandboxRequest {
    // ID of the PodSandbox.
    string pod_sandbox_id = 1;
}

message StopPodSandboxResponse {}

message ImageSpec {
    string image = 1;
    map<string, string> annotations = 2;
}

message PullImageRequest {
    ImageSpec image = 1;
}

message PullImageResponse {
    string image_ref = 1;
}
`
