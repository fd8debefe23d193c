#!/bin/sh
# The office's own certificate authority and the server's certificate (OpenSSL).
#   sh make-office-ca.sh nezarat.office.local 192.168.1.10
# Gives: office-ca.crt (copy to every desk; the connection dialog's "گواهی مرجع دفتر"),
# server.crt and server.key (for `main.py serve --tls-cert/--tls-key`). Keep office-ca.key
# offline: whoever holds it can make a certificate the desks trust.
set -eu
name=${1:?server host name}
ip=${2:-127.0.0.1}
umask 077
openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=Nezarat office CA" \
    -keyout office-ca.key -out office-ca.crt
openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout server.key -out server.csr
printf 'subjectAltName=DNS:%s,IP:%s\nextendedKeyUsage=serverAuth\n' "$name" "$ip" > server.ext
openssl x509 -req -in server.csr -CA office-ca.crt -CAkey office-ca.key -CAcreateserial \
    -days 825 -extfile server.ext -out server.crt
rm -f server.csr server.ext
echo "office-ca.crt → desks; server.crt, server.key → /etc/nezarat/tls/; office-ca.key → offline"
