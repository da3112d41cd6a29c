// Money trail in: where did the money reaching an account (or any account a person or company
// holds) come from? Follows account-to-account transactions backwards for up to six hops, each
// booked on or before the one after it. One row per trail, earliest transaction first.
//
// Parameters:
//   target       account_id, or party_id of a holder whose accounts are traced back (required)
//   max_hops     longest trail to list, 1 to 6 (filters; the search itself stops at 6 hops)
//   from_date    only transactions booked on or after this date (YYYY-MM-DD)
//   to_date      only transactions booked on or before this date
//   min_amount   only transactions of at least this many minor units (øre, cents)
//   limit        how many trails to return
// Date window and minimum amount prune the search itself: on large cases, set them.
//
// :param target => 'SE4550000000058398257466';
// :param max_hops => 3;
// :param from_date => '0001-01-01';
// :param to_date => '9999-12-31';
// :param min_amount => 0;
// :param limit => 200;
OPTIONAL MATCH (direct:Account {account_id: $target})
OPTIONAL MATCH (:Party {party_id: $target})-[:HOLDS]->(held:Account)
WITH collect(DISTINCT direct) + collect(DISTINCT held) AS accounts
UNWIND accounts AS b
WITH DISTINCT b
MATCH path = (first:Account)
  ((:Account)-[:PERFORMS]->(t:Transaction)-[:BENEFITS_TO]->()
    WHERE date($from_date) <= t.booking_date <= date($to_date) AND t.amount_minor >= $min_amount
  ){1,6}
  (b)
WHERE size(t) <= $max_hops
  AND all(i IN range(0, size(t) - 2) WHERE t[i].booking_date <= t[i + 1].booking_date)
RETURN size(t) AS hops,
       [n IN nodes(path) WHERE n:Account | n.account_id] AS accounts,
       [x IN t | x.txn_id] AS txn_ids,
       [x IN t | toString(x.booking_date)] AS dates,
       [x IN t | x.amount_minor] AS amounts_minor,
       [x IN t | x.currency] AS currencies,
       first.account_id AS origin
ORDER BY hops, dates, txn_ids
LIMIT $limit;
