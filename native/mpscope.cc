// mpscope's native access: sockets Node cannot open (IPPROTO_MPTCP, raw), TUN
// devices, socket options, readiness callbacks. Each function returns its
// result (>= 0) or -errno; addresses and structures are built and parsed in
// src/sys/. Reads, writes and close are Node's fs.readSync/writeSync/closeSync.
#include <napi.h>
#include <uv.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// MPTCP_FULL_INFO (Linux 6.6+) wants user pointers inside its argument; the
// headers of older build hosts lack it, so its numbers are here.
constexpr int kSolMptcp = 284;
constexpr int kMptcpFullInfo = 4;
constexpr size_t kFullInfoSubflowPtr = 24;  // offsetof(mptcp_full_info, subflow_info)
constexpr size_t kFullInfoTcpInfoPtr = 32;  // offsetof(mptcp_full_info, tcp_info)

using Info = Napi::CallbackInfo;
Napi::Value Result(Napi::Env env, long rc) { return Napi::Number::New(env, rc < 0 ? -errno : rc); }
int Int(const Info& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }
Napi::Uint8Array Bytes(const Info& info, size_t i) { return info[i].As<Napi::Uint8Array>(); }
sockaddr* Addr(Napi::Uint8Array sa) { return reinterpret_cast<sockaddr*>(sa.Data()); }

// socket(family, type, protocol): always non-blocking and close-on-exec.
Napi::Value Socket(const Info& info) {
  return Result(info.Env(), socket(Int(info, 0), Int(info, 1) | SOCK_NONBLOCK | SOCK_CLOEXEC, Int(info, 2)));
}

// bind(fd, sockaddr) and connect(fd, sockaddr); connect answers -EINPROGRESS.
template <int (*Call)(int, const sockaddr*, socklen_t)>
Napi::Value AddressCall(const Info& info) {
  auto sa = Bytes(info, 1);
  return Result(info.Env(), Call(Int(info, 0), Addr(sa), sa.ByteLength()));
}

// getsockopt(fd, level, name, buf): buf is both input (some MPTCP options
// read a header from it) and output; returns the length the kernel wrote.
Napi::Value GetOpt(Napi::Env env, int fd, int level, int name, Napi::Uint8Array buf) {
  socklen_t len = buf.ByteLength();
  int rc = getsockopt(fd, level, name, buf.Data(), &len);
  return Result(env, rc < 0 ? rc : static_cast<long>(len));
}

Napi::Value GetSockOpt(const Info& info) {
  return GetOpt(info.Env(), Int(info, 0), Int(info, 1), Int(info, 2), Bytes(info, 3));
}
Napi::Value SetSockOpt(const Info& info) {
  auto buf = Bytes(info, 3);
  return Result(info.Env(), setsockopt(Int(info, 0), Int(info, 1), Int(info, 2), buf.Data(), buf.ByteLength()));
}

// mptcpFullInfo(fd, head, subflowInfos, tcpInfos): MPTCP_FULL_INFO with the
// two array pointers patched into head; the sizes are set by the caller.
Napi::Value MptcpFullInfo(const Info& info) {
  auto head = Bytes(info, 1);
  if (head.ByteLength() < kFullInfoTcpInfoPtr + 8) return Napi::Number::New(info.Env(), -EINVAL);
  uint64_t sf = reinterpret_cast<uintptr_t>(Bytes(info, 2).Data());
  uint64_t tcp = reinterpret_cast<uintptr_t>(Bytes(info, 3).Data());
  memcpy(head.Data() + kFullInfoSubflowPtr, &sf, 8);
  memcpy(head.Data() + kFullInfoTcpInfoPtr, &tcp, 8);
  Napi::Value rc = GetOpt(info.Env(), Int(info, 0), kSolMptcp, kMptcpFullInfo, head);
  memset(head.Data() + kFullInfoSubflowPtr, 0, 16);  // no addresses left for JavaScript to see
  return rc;
}

// openTun(name, flags): name is a 16-byte in/out buffer (IFNAMSIZ); the
// kernel writes back the name it chose when a pattern such as "mps%d" is given.
Napi::Value OpenTun(const Info& info) {
  auto name = Bytes(info, 0);
  if (name.ByteLength() != IFNAMSIZ) return Napi::Number::New(info.Env(), -EINVAL);
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Result(info.Env(), fd);
  ifreq ifr{};
  memcpy(ifr.ifr_name, name.Data(), IFNAMSIZ - 1);
  ifr.ifr_flags = static_cast<short>(Int(info, 1));
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    return Napi::Number::New(info.Env(), -err);
  }
  memcpy(name.Data(), ifr.ifr_name, IFNAMSIZ);
  return Napi::Number::New(info.Env(), fd);
}

// sendto(fd, buf, sockaddr) and recvfrom(fd, buf, from): from receives the
// peer's sockaddr (zeroed first, so an unfilled family reads as 0).
Napi::Value SendTo(const Info& info) {
  auto buf = Bytes(info, 1), sa = Bytes(info, 2);
  return Result(info.Env(), sendto(Int(info, 0), buf.Data(), buf.ByteLength(), 0, Addr(sa), sa.ByteLength()));
}
Napi::Value RecvFrom(const Info& info) {
  auto buf = Bytes(info, 1), from = Bytes(info, 2);
  memset(from.Data(), 0, from.ByteLength());
  socklen_t len = from.ByteLength();
  return Result(info.Env(), recvfrom(Int(info, 0), buf.Data(), buf.ByteLength(), 0, Addr(from), &len));
}

// watch(fd, events, callback(status, events)) -> handle; unwatch(handle),
// exactly once per handle. A libuv poll handle on the main loop: no threads,
// and the fd stays the caller's.
struct Watch {
  uv_poll_t poll;
  napi_env env;
  Napi::FunctionReference callback;
};

void FreeWatch(uv_handle_t* handle) { delete static_cast<Watch*>(handle->data); }

void OnReady(uv_poll_t* handle, int status, int events) {
  auto* w = static_cast<Watch*>(handle->data);
  Napi::Env env(w->env);
  Napi::HandleScope scope(env);
  w->callback.MakeCallback(env.Global(), {Napi::Number::New(env, status), Napi::Number::New(env, events)});
  // No JavaScript frame below us can catch it: report it as Node reports any uncaught error.
  if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
}

Napi::Value WatchFd(const Info& info) {
  Napi::Env env = info.Env();
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  auto* w = new Watch{};
  w->env = env;
  w->poll.data = w;
  // uv errors are negative errno values on Unix, like every other result here.
  int rc = uv_poll_init(loop, &w->poll, Int(info, 0));
  if (rc != 0) delete w;
  if (rc == 0 && (rc = uv_poll_start(&w->poll, Int(info, 1), OnReady)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), FreeWatch);
  }
  if (rc != 0) return Napi::Number::New(env, rc);
  w->callback = Napi::Persistent(info[2].As<Napi::Function>());
  return Napi::External<Watch>::New(env, w);
}

Napi::Value Unwatch(const Info& info) {
  auto* w = info[0].As<Napi::External<Watch>>().Data();
  w->callback.Reset();
  uv_poll_stop(&w->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), FreeWatch);
  return info.Env().Undefined();
}

// Each export with its argument kinds (n number, b Uint8Array, f function, x
// watch handle), checked before the call: a mismatch is a bug in src/sys.
struct Export {
  const char* name;
  const char* kinds;
  Napi::Value (*fn)(const Info&);
};
bool KindIs(Napi::Value v, char kind) {
  switch (kind) {
    case 'n': return v.IsNumber();
    case 'f': return v.IsFunction();
    case 'x': return v.IsExternal();
    default: return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
  }
}

Napi::Value Checked(const Info& info) {
  auto* e = static_cast<const Export*>(info.Data());
  for (size_t i = 0; e->kinds[i] != '\0'; i++) {
    if (KindIs(info[i], e->kinds[i])) continue;
    Napi::TypeError::New(info.Env(), std::string(e->name) + ": bad argument " + std::to_string(i)).ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return e->fn(info);
}

const Export kExports[] = {
    {"socket", "nnn", Socket},          {"bind", "nb", AddressCall<bind>},  {"connect", "nb", AddressCall<connect>},
    {"getsockopt", "nnnb", GetSockOpt}, {"setsockopt", "nnnb", SetSockOpt}, {"mptcpFullInfo", "nbbb", MptcpFullInfo},
    {"openTun", "bn", OpenTun},         {"sendto", "nbb", SendTo},          {"recvfrom", "nbb", RecvFrom},
    {"watch", "nnf", WatchFd},          {"unwatch", "x", Unwatch},
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  for (const auto& e : kExports) exports[e.name] = Napi::Function::New(env, Checked, e.name, const_cast<Export*>(&e));
  return exports;
}

}  // namespace

NODE_API_MODULE(mpscope, Init)
