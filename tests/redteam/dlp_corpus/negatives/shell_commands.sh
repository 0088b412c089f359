#!/bin/sh
# Options that carry a port, a directory flag or a user id, and credentials passed by reference.
set -eu
mkdir -p build/out && cp -p dist/* build/out/
ssh -p 22 deploy@10.0.4.2 'uptime'
scp -P 2222 build.tgz deploy@10.0.4.2:/srv/
psql -p 5432 -h db.acme.internal -U app appdb
pg_dump -p 5433 -U app -F c appdb > appdb.dump
docker run --rm -p 8080:80 -u 1000:1000 -v "$PWD:/srv" nginx:1.27
docker exec --user root:root db sh -c 'id'
podman run -p 127.0.0.1:5432:5432 postgres:16
kubectl port-forward svc/api -p 8080:80
git push -u origin feature/login
sort -u names.txt | uniq -c
ps -u www-data:www-data
tar -czpf site.tgz -p public/
mysql -p
mysql -u root -p appdb
mysql -uroot -p -e 'show databases'
mysql --password appdb
mysql -uroot -p"$MYSQL_ROOT_PASSWORD" appdb
mysqldump --password="${DB_PASSWORD}" appdb
sshpass -p "$SSHPASS" ssh -p 2222 deploy@10.0.4.2
sshpass -e ssh deploy@10.0.4.2
redis-cli -a "$REDIS_PASSWORD" ping
redis-cli --askpass -h cache
mongosh "mongodb://db:27017/app" -u admin -p
curl -u "$USER:$TOKEN" https://api.acme.io/v1/me
curl -u "${API_USER}:${API_TOKEN}" https://api.acme.io/v1/me
curl -u alice https://api.acme.io/v1/me
curl -u : --negotiate https://intranet.acme.io/
curl -u alice: https://api.acme.io/v1/me
curl -u user:password https://api.acme.io/v1/me
curl -u '<user>:<pass>' https://api.acme.io/v1/me
curl -u username:changeme https://api.acme.io/v1/me
curl --user "$CREDENTIALS" https://api.acme.io/v1/me
curl -u "alice:$(cat ~/.acme/password)" https://api.acme.io/v1/me
curl -u admin:admin http://192.168.1.1/status
wget --user=alice --ask-password https://files.acme.io/build.tgz
wget --password="$WGET_PASSWORD" https://files.acme.io/build.tgz
docker login -u ci --password-stdin registry.acme.io < token.txt
docker login -u ci -p "$CI_REGISTRY_PASSWORD" "$CI_REGISTRY"
helm upgrade --install api ./chart -p values.yaml
PGPASSWORD="$PGPASS" psql -h db.acme.internal -U app appdb
export PGPASSWORD="${DB_PASSWORD}"
PGPASSWORD=postgres psql -h localhost -U postgres
export MYSQL_PWD=root
curl -H "Authorization: Bearer $TOKEN" https://api.acme.io/v1/me
curl -H 'Authorization: Bearer <token>' https://api.acme.io/v1/me
curl -H "Authorization: Bearer ${{ secrets.DEPLOY_TOKEN }}" https://api.acme.io/v1/me
curl -H "Authorization: Bearer ${ACCESS_TOKEN}" https://api.acme.io/v1/me
# Tab-separated options: ports, directory flags and credentials passed by reference.
ssh	-p 2222 deploy@10.0.4.2
mkdir	-p build/out
mysql	-u root	-p appdb
curl	-u	"$USER:$TOKEN" https://api.acme.io/v1/me
docker run	-p 8080:80	-u 1000:1000 nginx:1.27
curl --oauth2-bearer "$ACCESS_TOKEN" https://api.acme.io/v1/me
curl --oauth2-bearer '<token>' https://api.acme.io/v1/me
curl -H "authorization: bearer $ACCESS_TOKEN" https://api.acme.io/v1/me
build:
	mkdir -p $(BUILD_DIR) && cp -p dist/* $(BUILD_DIR)/
	ssh -p 2222 deploy@10.0.4.2 'systemctl restart api'
